import { z } from 'zod';
import { MODEL_STATUSES, TrainingParams } from '@dreamqueue/contracts';
import { BATCH_STATUSES, GENERATION_STATUSES } from '@dreamqueue/records';

/**
 * What the API answers with, as zod schemas: the OpenAPI document's response schemas are generated from
 * these, and the views (`modelView`, `generationView`, `batchView`) are typed by them, so a field added to
 * a view without its schema does not compile. Objects are strict: an internal field leaking into a
 * response (an S3 key, a TargetModel) fails the response validation in the API tests.
 */
const isoTime = z.iso.datetime({ offset: true });
const failure = z.strictObject({ code: z.string(), message: z.string() });

export const ModelResource = z.strictObject({
  id: z.string(),
  object: z.literal('model'),
  name: z.string(),
  status: z.enum(MODEL_STATUSES),
  /** 0–100, advanced by the training steps. */
  progress: z.number().min(0).max(100),
  subjectClass: z.string(),
  token: z.string(),
  triggerPhrase: z.string().meta({ description: 'Write this in a prompt (or `{trigger}`) to get the subject.' }),
  params: TrainingParams.required({ loraAlpha: true, classPrompt: true }),
  photoCount: z.number().int(),
  createdAt: isoTime,
  updatedAt: isoTime,
  /** When each status was entered. */
  stages: z.partialRecord(z.enum(MODEL_STATUSES), isoTime),
  failureReason: z.string().optional(),
});

export const ModelList = z.strictObject({
  object: z.literal('list'),
  data: z.array(ModelResource),
  nextCursor: z.string().optional(),
});

export const GeneratedImage = z.strictObject({
  index: z.number().int(),
  url: z.url().meta({ description: 'Presigned GET URL, valid until expiresAt.' }),
  expiresAt: isoTime,
  reproduction: z.strictObject({
    model: z.string(),
    modelEtag: z.string(),
    prompt: z.string(),
    negativePrompt: z.string(),
    seed: z.number().int(),
    steps: z.number().int(),
    guidance: z.number(),
  }),
});

export const GenerationResource = z.strictObject({
  id: z.string(),
  object: z.literal('generation'),
  status: z.enum(GENERATION_STATUSES),
  model: z.string(),
  prompt: z.string(),
  negativePrompt: z.string(),
  numImages: z.number().int(),
  steps: z.number().int(),
  guidance: z.number(),
  seed: z.number().int(),
  createdAt: isoTime,
  startedAt: isoTime.optional(),
  finishedAt: isoTime.optional(),
  deadline: isoTime.optional(),
  error: failure.optional(),
  links: z.strictObject({ self: z.string(), cancel: z.string() }),
  /** While queued: position among waiting generate jobs and a rough ETA. */
  queuePosition: z.number().int().min(1).optional(),
  etaSeconds: z.number().int().min(0).optional(),
  /** When succeeded. */
  images: z.array(GeneratedImage).optional(),
  gpuSeconds: z.number().min(0).meta({ description: 'GPU seconds its invocation used (see `GET /v1/usage`).' }),
});

const batchFields = {
  id: z.string(),
  object: z.literal('batch'),
  status: z.enum(BATCH_STATUSES),
  model: z.string(),
  steps: z.number().int(),
  guidance: z.number(),
  total: z.number().int(),
  counts: z.strictObject({
    pending: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    canceled: z.number().int(),
  }),
  /** Finished items / total, 0–1. */
  progress: z.number().min(0).max(1),
  etaSeconds: z.number().int().min(0).optional(),
  /** 0 for the first run; each retry-failed adds one. */
  round: z.number().int(),
  gpuSeconds: z
    .number()
    .min(0)
    .meta({ description: 'GPU seconds its invocations used so far, every round included (see `GET /v1/usage`).' }),
  createdAt: isoTime,
  finishedAt: isoTime.optional(),
  links: z.strictObject({ self: z.string(), results: z.string(), cancel: z.string(), retryFailed: z.string() }),
};
export const BatchResource = z.strictObject(batchFields);
export const BatchRetried = z.strictObject({ ...batchFields, retried: z.number().int().min(0) });

/** One line of `GET /v1/batches/{id}/results` (NDJSON, index order). */
export const BatchResultLine = z.strictObject({
  index: z.number().int(),
  status: z.enum(['succeeded', 'failed', 'canceled']),
  seed: z.number().int().optional(),
  error: failure.optional(),
  url: z.url().optional(),
  expiresAt: isoTime.optional(),
});

/** The `data:` of one `GET /v1/events` message (its SSE `id:` is `id`, its `event:` is `type`). */
export const ServerEventData = z.strictObject({
  id: z.string(),
  type: z.string().meta({ examples: ['model.ready', 'generation.succeeded', 'batch.progress'] }),
  resource: z.enum(['model', 'generation', 'batch']),
  resourceId: z.string(),
  status: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
  at: isoTime,
});

export const WebhookDefault = z.strictObject({
  url: z.string(),
  /** The signing secret, only in the answer that created it. */
  secret: z.string().optional(),
});

export const WebhookSecret = z.strictObject({ secret: z.string(), previousValidUntil: isoTime.optional() });

export const JobSearchPage = z.strictObject({
  data: z.array(
    z.strictObject({
      id: z.string(),
      kind: z.enum(['model', 'generation', 'batch']),
      tenantId: z.string(),
      modelId: z.string().optional(),
      status: z.string(),
      type: z.string(),
      createdAt: isoTime,
      updatedAt: isoTime,
      eventId: z.string(),
      links: z.strictObject({ resource: z.string() }),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const WebhookDelivery = z.strictObject({
  eventId: z.string(),
  tenantId: z.string(),
  resourceId: z.string(),
  type: z.string(),
  state: z.enum(['pending', 'delivered', 'dead', 'skipped']),
  attempts: z.number().int(),
  lastStatus: z.number().int().optional(),
  lastError: z.string().optional(),
  resource: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export const WebhookDeliveryList = z.strictObject({ data: z.array(WebhookDelivery) });
export const Redelivery = z.strictObject({ eventId: z.string(), state: z.literal('pending') });

const quotaState = (usage: string) =>
  z.strictObject({
    limit: z.number().int().min(0).nullable().meta({ description: 'null: unlimited.' }),
    source: z.enum(['tenant', 'default', 'none']).meta({
      description: 'The tenant’s own limit, the operator default (QUOTA_DEFAULT_*), or none (unlimited).',
    }),
    usage: z.number().int().min(0).meta({ description: usage }),
  });

/** A tenant's quotas: each limit, where it comes from, and what counts against it now. */
export const Quotas = z.strictObject({
  object: z.literal('quotas'),
  tenantId: z.string(),
  queuedItems: quotaState('Generation items (images) queued or running.'),
  concurrentTrainings: quotaState('Trainings queued, preparing, training or registering.'),
  imagesPerMinute: quotaState('Images accepted in the last 60 seconds.'),
});

export const Health = z.strictObject({ status: z.literal('ok') });
export const Readiness = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.array(z.strictObject({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
});

/** The one error shape: `code` is stable snake_case (branch on it), `message` is for people. */
export const ApiError = z.strictObject({
  error: z.strictObject({
    code: z.string().regex(/^[a-z][a-z0-9_]*$/),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export type ModelView = z.infer<typeof ModelResource>;
export type GenerationView = z.infer<typeof GenerationResource>;
export type BatchView = z.infer<typeof BatchResource>;

export { TenantUsageList, Usage } from '../usage/usage-schemas';
