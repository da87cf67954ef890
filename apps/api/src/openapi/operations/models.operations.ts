import { z } from 'zod';
import { idSchema, MODEL_PHOTOS } from '@dreamqueue/contracts';
import { ModelFields } from '../../models/model-request';
import { ModelList, ModelResource } from '../resource-schemas';
import { type OperationSpec } from '../operation-spec';
import { idempotencyKey, json, pathId } from './common-parameters';

const PHOTO_PROBLEMS = [
  'unsupported_image_type',
  'image_undecodable',
  'pixel_limit_exceeded',
  'image_too_small',
  'animated_image',
  'duplicate_image',
];

/** The multipart body of `POST /v1/models`: the text fields from {@link ModelFields}, `params` and the photos. */
const modelUpload = {
  jsonSchema: {
    type: 'object',
    required: ['name', 'images'],
    properties: {
      ...(z.toJSONSchema(ModelFields, { io: 'input' }) as { properties: object }).properties,
      params: {
        type: 'string',
        contentMediaType: 'application/json',
        contentSchema: { $ref: '#/components/schemas/TrainingParams' },
        description: 'Tuning parameters as a JSON object (TrainingParams); every key is optional.',
      },
      images: {
        type: 'array',
        minItems: MODEL_PHOTOS.min,
        maxItems: MODEL_PHOTOS.max,
        items: { type: 'string', contentMediaType: 'application/octet-stream' },
        description: `${MODEL_PHOTOS.min}–${MODEL_PHOTOS.max} photos (JPEG, PNG or WebP), one file part each.`,
      },
    },
  },
};

const modelId = pathId('id', idSchema('model'));

export const MODEL_OPERATIONS: OperationSpec[] = [
  {
    method: 'post',
    path: '/v1/models',
    operationId: 'createModel',
    tag: 'Models',
    summary: 'Train a model from 10–15 photos',
    description:
      'Checks every photo before anything is stored; a bad photo is a 4xx whose `details` lists one reason per photo (by index), and nothing is queued.',
    access: 'tenant',
    parameters: [idempotencyKey],
    requestBody: { content: { 'multipart/form-data': modelUpload } },
    responses: { 202: { description: 'Accepted: the model is queued for training.', content: json(ModelResource) } },
    errors: {
      400: [
        'invalid_params',
        'invalid_multipart',
        'unexpected_field',
        'too_many_parts',
        'request_aborted',
        'image_count_out_of_range',
        'invalid_idempotency_key',
        ...PHOTO_PROBLEMS.filter((c) => c !== 'unsupported_image_type'),
      ],
      409: ['idempotency_in_progress'],
      413: ['payload_too_large', 'image_too_large'],
      415: ['unsupported_media_type', 'unsupported_image_type'],
      422: ['idempotency_key_reused', 'request_exceeds_quota'],
      429: ['concurrent_trainings_quota_exceeded'],
      503: ['storage_unavailable', 'intake_busy'],
    },
  },
  {
    method: 'get',
    path: '/v1/models',
    operationId: 'listModels',
    tag: 'Models',
    summary: 'List models, newest first',
    access: 'tenant',
    parameters: [
      { in: 'query', name: 'limit', schema: z.number().int().min(1).max(100).default(20) },
      { in: 'query', name: 'cursor', schema: z.string(), description: 'The `nextCursor` of the previous page.' },
    ],
    responses: { 200: { description: 'A page of models.', content: json(ModelList) } },
  },
  {
    method: 'get',
    path: '/v1/models/{id}',
    operationId: 'getModel',
    tag: 'Models',
    summary: 'Read a model (status, progress, trigger phrase)',
    access: 'tenant',
    parameters: [modelId],
    responses: { 200: { description: 'The model.', content: json(ModelResource) } },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'post',
    path: '/v1/models/{id}/cancel',
    operationId: 'cancelModel',
    tag: 'Models',
    summary: 'Cancel a training in progress',
    access: 'tenant',
    parameters: [modelId],
    responses: { 200: { description: 'The canceled model.', content: json(ModelResource) } },
    errors: { 404: ['not_found'], 409: ['model_not_cancelable'] },
  },
  {
    method: 'delete',
    path: '/v1/models/{id}',
    operationId: 'deleteModel',
    tag: 'Models',
    summary: 'Delete a model and its artifact',
    access: 'tenant',
    parameters: [modelId],
    responses: { 200: { description: 'The deleted model.', content: json(ModelResource) } },
    errors: { 404: ['not_found'] },
  },
];
