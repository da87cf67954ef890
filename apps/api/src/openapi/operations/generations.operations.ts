import { z } from 'zod';
import { BatchHeader, BatchItem, GenerationRequest, idSchema, MAX_BATCH_ITEMS } from '@dreamqueue/contracts';
import { BatchResource, BatchResultLine, BatchRetried, GenerationResource } from '../resource-schemas';
import { type OperationSpec } from '../operation-spec';
import { idempotencyKey, json, pathId } from './common-parameters';

/** The JSON form of a batch: the NDJSON header's fields plus the items, validated by the same schemas. */
export const BatchJsonRequest = BatchHeader.extend({ items: z.array(BatchItem).min(1).max(MAX_BATCH_ITEMS) });

const generationId = pathId('id', idSchema('generation'));
const batchId = pathId('id', idSchema('batch'));
const creates = { 409: ['idempotency_in_progress', 'webhook_secret_required'], 422: ['idempotency_key_reused'] };
/** What accepting images answers over the tenant's quotas (429 with Retry-After; 422 when it can never fit). */
const quotas = {
  422: ['request_exceeds_quota'],
  429: ['queued_items_quota_exceeded', 'images_per_minute_quota_exceeded'],
};
const location = { Location: { description: 'Where to read the new resource.', schema: { type: 'string' } } };

export const GENERATION_OPERATIONS: OperationSpec[] = [
  {
    method: 'post',
    path: '/v1/generations',
    operationId: 'createGeneration',
    tag: 'Generations',
    summary: 'Generate 1–8 images from a ready model',
    description:
      'The prompt may contain `{trigger}`, replaced by the model’s trigger phrase. Without a seed the server draws one and records it; image i uses seed + i.',
    access: 'tenant',
    parameters: [idempotencyKey],
    requestBody: { content: json(GenerationRequest) },
    responses: {
      202: { description: 'Accepted: queued.', content: json(GenerationResource), headers: location },
    },
    errors: {
      400: ['invalid_request', 'invalid_json', 'invalid_webhook_url', 'invalid_deadline', 'invalid_idempotency_key'],
      404: ['not_found'],
      409: ['model_not_ready', ...creates[409]],
      413: ['payload_too_large'],
      415: ['unsupported_encoding'],
      422: [...creates[422], ...quotas[422]],
      429: quotas[429],
    },
  },
  {
    method: 'get',
    path: '/v1/generations/{id}',
    operationId: 'getGeneration',
    tag: 'Generations',
    summary: 'Read a generation; when succeeded, its images with presigned URLs and reproduction records',
    access: 'tenant',
    parameters: [generationId],
    responses: { 200: { description: 'The generation.', content: json(GenerationResource) } },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'post',
    path: '/v1/generations/{id}/cancel',
    operationId: 'cancelGeneration',
    tag: 'Generations',
    summary: 'Cancel a queued or running generation',
    access: 'tenant',
    parameters: [generationId],
    responses: { 200: { description: 'The canceled generation.', content: json(GenerationResource) } },
    errors: { 404: ['not_found'], 409: ['generation_finished'] },
  },
  {
    method: 'post',
    path: '/v1/batches',
    operationId: 'createBatch',
    tag: 'Batches',
    summary: `Queue up to ${MAX_BATCH_ITEMS} prompts against one model`,
    description:
      'JSON (`{model, defaults?, webhookUrl?, items}`) or NDJSON (`application/x-ndjson`: a BatchHeader line, then one BatchItem per line). Any invalid item rejects the whole batch (first errors listed, with their index) and nothing is queued.',
    access: 'tenant',
    parameters: [idempotencyKey],
    requestBody: {
      content: {
        ...json(BatchJsonRequest),
        'application/x-ndjson': {
          jsonSchema: {
            type: 'string',
            description: 'Line 1: a BatchHeader object; then one BatchItem object per line.',
          },
        },
      },
    },
    responses: { 202: { description: 'Accepted: queued.', content: json(BatchResource), headers: location } },
    errors: {
      400: [
        'invalid_request',
        'invalid_json',
        'invalid_batch_header',
        'invalid_batch_items',
        'empty_batch',
        'too_many_items',
        'line_too_long',
        'invalid_webhook_url',
        'invalid_idempotency_key',
      ],
      404: ['not_found'],
      409: ['model_not_ready', ...creates[409]],
      413: ['payload_too_large'],
      415: ['unsupported_encoding'],
      422: [...creates[422], ...quotas[422]],
      429: quotas[429],
      503: ['storage_unavailable', 'intake_busy'],
    },
  },
  {
    method: 'get',
    path: '/v1/batches/{id}',
    operationId: 'getBatch',
    tag: 'Batches',
    summary: 'Read a batch: counts by state, progress, ETA',
    access: 'tenant',
    parameters: [batchId],
    responses: { 200: { description: 'The batch.', content: json(BatchResource) } },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'get',
    path: '/v1/batches/{id}/results',
    operationId: 'getBatchResults',
    tag: 'Batches',
    summary: 'The finished batch’s manifest as NDJSON, one BatchResultLine per item, with fresh image URLs',
    access: 'tenant',
    parameters: [batchId],
    responses: {
      200: { description: 'One JSON object per line.', content: { 'application/x-ndjson': BatchResultLine } },
    },
    errors: { 404: ['not_found'], 409: ['batch_not_finished'] },
  },
  {
    method: 'get',
    path: '/v1/batches/{id}/images.zip',
    operationId: 'getBatchImagesZip',
    tag: 'Batches',
    summary: 'The finished batch’s images and manifest as one zip, streamed',
    access: 'tenant',
    parameters: [batchId],
    responses: {
      200: {
        description: 'A zip archive (attachment).',
        content: { 'application/zip': { jsonSchema: { type: 'string', contentMediaType: 'application/zip' } } },
      },
    },
    errors: { 404: ['not_found'], 409: ['batch_not_finished'] },
  },
  {
    method: 'post',
    path: '/v1/batches/{id}/cancel',
    operationId: 'cancelBatch',
    tag: 'Batches',
    summary: 'Cancel a batch: waiting items are canceled, running ones finish',
    access: 'tenant',
    parameters: [batchId],
    responses: { 200: { description: 'The canceled batch.', content: json(BatchResource) } },
    errors: { 404: ['not_found'], 409: ['batch_finished'] },
  },
  {
    method: 'post',
    path: '/v1/batches/{id}/retry-failed',
    operationId: 'retryFailedBatchItems',
    tag: 'Batches',
    summary: 'Queue the failed items of a finished batch again (a new round)',
    access: 'tenant',
    parameters: [batchId],
    responses: {
      200: { description: 'Nothing to retry.', content: json(BatchRetried) },
      202: { description: 'The failed items are queued again.', content: json(BatchRetried) },
    },
    errors: { 404: ['not_found'], 409: ['batch_not_finished'], ...quotas },
  },
];
