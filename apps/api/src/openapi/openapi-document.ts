import { z } from 'zod';
import { BatchHeader, BatchItem, GenerationRequest, TrainingParams } from '@dreamqueue/contracts';
import { WebhookDefaultBody } from '../webhooks/webhooks.routes';
import { type Access, type BodySchema, type OperationSpec, type ResponseSpec } from './operation-spec';
import { GENERATION_OPERATIONS, BatchJsonRequest } from './operations/generations.operations';
import { MODEL_OPERATIONS } from './operations/models.operations';
import { PLATFORM_OPERATIONS } from './operations/platform.operations';
import { QUOTA_OPERATIONS } from './operations/quotas.operations';
import { QuotaLimitsUpdate } from '../quotas/quota-update';
import { USAGE_OPERATIONS } from './operations/usage.operations';
import * as resources from './resource-schemas';

/** Every documented route. The route-coverage test fails when the app serves a route missing here. */
export const OPERATIONS: OperationSpec[] = [
  ...MODEL_OPERATIONS,
  ...GENERATION_OPERATIONS,
  ...QUOTA_OPERATIONS,
  ...USAGE_OPERATIONS,
  ...PLATFORM_OPERATIONS,
];

type JsonSchema = Record<string, unknown>;
const REF = (id: string) => `#/components/schemas/${id}`;

/** Named request schemas (as clients send them: defaults make fields optional). */
const REQUESTS: Record<string, z.ZodType> = {
  GenerationRequest,
  BatchHeader,
  BatchItem,
  BatchJsonRequest,
  TrainingParams,
  WebhookDefaultBody,
  QuotaLimitsUpdate,
};

/** Authentication failures, added to every operation by who may call it. */
const ACCESS_ERRORS: Record<Access, Record<number, string[]>> = {
  public: {},
  metrics: { 401: ['unauthorized'] },
  tenant: { 401: ['unauthorized'], 429: ['too_many_auth_failures'], 503: ['redis_unavailable'] },
  operator: { 401: ['unauthorized'], 403: ['forbidden'], 429: ['too_many_auth_failures'], 503: ['redis_unavailable'] },
  admin: { 401: ['unauthorized'], 403: ['forbidden'], 429: ['too_many_auth_failures'], 503: ['redis_unavailable'] },
};
const SECURITY: Record<Access, object[]> = {
  public: [],
  metrics: [{ metricsToken: [] }, {}],
  tenant: [{ apiKey: [] }],
  operator: [{ apiKey: [] }],
  admin: [{ apiKey: [] }],
};

/**
 * The OpenAPI 3.1 document, generated from the zod schemas the API validates requests with (and the
 * response schemas its views are typed by), through zod 4's own JSON Schema output (draft 2020-12, the
 * dialect of OpenAPI 3.1).
 */
export function buildOpenApiDocument(version: string): JsonSchema {
  const requestIds = new Map<z.ZodType, string>(Object.entries(REQUESTS).map(([id, s]) => [s, id]));
  const responseIds = new Map<z.ZodType, string>(
    Object.entries(resources).map(([id, s]) => [s as z.ZodType, id] as const),
  );
  const schemas = {
    ...components(requestIds, 'input'),
    ...components(responseIds, 'output'),
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = operation(op, requestIds, responseIds);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'dreamqueue API',
      version,
      description:
        'Personal LoRA models from 10–15 photos, and images from them at any volume. Every error is `{ "error": { "code", "message", "details" } }`; branch on `code` (stable, snake_case), never on `message`.',
    },
    tags: ['Models', 'Generations', 'Batches', 'Quotas', 'Usage', 'Events', 'Webhooks', 'Operators', 'Platform'].map(
      (name) => ({
        name,
      }),
    ),
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer sk_…`.' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when configured.' },
      },
    },
  };
}

function components(ids: Map<z.ZodType, string>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of ids) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, unrepresentable: 'any', uri: REF }) as {
    schemas: Record<string, JsonSchema>;
  };
  // Each component is a fragment of this document, not a standalone schema resource.
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return schemas;
}

function operation(op: OperationSpec, requestIds: Map<z.ZodType, string>, responseIds: Map<z.ZodType, string>) {
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(op.responses)) responses[status] = response(spec, responseIds);
  const errors = mergeErrors(ACCESS_ERRORS[op.access], op.errors ?? {});
  for (const [status, codes] of Object.entries(errors)) responses[status] = errorResponse(Number(status), codes);
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description && { description: op.description }),
    security: SECURITY[op.access],
    ...(op.parameters && {
      parameters: op.parameters.map((p) => ({
        in: p.in,
        name: p.name,
        required: p.required ?? false,
        ...(p.description && { description: p.description }),
        schema: inline(p.schema, 'input'),
      })),
    }),
    ...(op.requestBody && {
      requestBody: { required: true, content: content(op.requestBody.content, requestIds) },
    }),
    responses,
  };
}

function response(spec: ResponseSpec, ids: Map<z.ZodType, string>) {
  return {
    description: spec.description,
    ...(spec.headers && { headers: spec.headers }),
    ...(spec.content && { content: content(spec.content, ids) }),
  };
}

function content(media: Record<string, BodySchema>, ids: Map<z.ZodType, string>) {
  return Object.fromEntries(Object.entries(media).map(([type, body]) => [type, { schema: schemaOf(body, ids) }]));
}

function schemaOf(body: BodySchema, ids: Map<z.ZodType, string>): JsonSchema {
  if ('jsonSchema' in body) return body.jsonSchema;
  const id = ids.get(body);
  if (!id) throw new Error('A body schema must be a named component (add it to REQUESTS or resource-schemas)');
  return { $ref: REF(id) };
}

function inline(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

const errorCodes = (status: number) =>
  ({ 400: 'Bad request', 401: 'Not authenticated', 403: 'Not allowed', 404: 'Not found', 409: 'Conflict' })[status] ??
  `HTTP ${status}`;

const RETRY_AFTER = {
  'Retry-After': {
    description:
      'Seconds to wait before trying again: on every 503, and on a 429 whose wait is known (quotas, authentication failures).',
    schema: { type: 'integer', minimum: 1 },
  },
};

/** The one error shape, with `code` limited to the codes this operation answers with this status. */
function errorResponse(status: number, codes: string[]) {
  return {
    description: `${errorCodes(status)}: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
    // toHttpError sends Retry-After with every 503 and with each 429 that names its wait.
    ...((status === 429 || status === 503) && { headers: RETRY_AFTER }),
    content: {
      'application/json': {
        schema: {
          allOf: [
            { $ref: REF('ApiError') },
            { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } },
          ],
        },
      },
    },
  };
}

function mergeErrors(...lists: Record<number, string[]>[]): Record<number, string[]> {
  const merged: Record<number, string[]> = { 500: ['internal_error'] };
  for (const list of lists)
    for (const [status, codes] of Object.entries(list))
      merged[Number(status)] = [...new Set([...(merged[Number(status)] ?? []), ...codes])];
  return merged;
}
