import { z } from 'zod';
import { idSchema, tenantIdSchema } from '../ids';
import { RETENTION } from '../queue-defaults';
import { defineQueue } from '../queue-definition';
import { JobTrace } from './job-trace';

/** Triton's `max_batch_size` on the multi-model endpoint: one invocation carries at most this many rows. */
export const MAX_BATCH_SIZE = 8;

/**
 * BullMQ priorities: lower runs first. Interactive generations always go before batch work. Batch chunks
 * get `batch + floor(chunk / BATCH_AFFINITY_RUN)`: one batch's chunks run contiguously for one model (few
 * MME cold loads), while two tenants' batches interleave run by run instead of one draining the other.
 * With model-aware dispatch, a batch job the dispatcher parked comes back as `dispatched`: ahead of batch
 * work not parked yet, behind interactive requests.
 */
export const PRIORITY = { interactive: 1, dispatched: 2, batch: 10 } as const;

/** Invocations of one batch kept together before another batch of the same age gets a turn. */
export const BATCH_AFFINITY_RUN = 32;

/** BullMQ's highest allowed priority value (2^21). */
export const MAX_PRIORITY = 2_097_152;

/** The priority of batch chunk `chunk` (0-based). */
export function batchChunkPriority(chunk: number): number {
  return Math.min(PRIORITY.batch + Math.floor(chunk / BATCH_AFFINITY_RUN), MAX_PRIORITY);
}

export const GenerateItem = z.object({
  /** Position of the row: image index within a generation, or item index within a batch. */
  index: z.number().int().min(0),
  prompt: z.string().min(1),
  negativePrompt: z.string().default(''),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
});
export type GenerateItem = z.output<typeof GenerateItem>;

export const GeneratePayload = z
  .object({
    tenantId: tenantIdSchema,
    modelId: idSchema('model'),
    /** Exactly one of generationId / batchId names the resource this invocation belongs to. */
    generationId: idSchema('generation').optional(),
    batchId: idSchema('batch').optional(),
    items: z.array(GenerateItem).min(1).max(MAX_BATCH_SIZE),
    steps: z.number().int().min(1).max(150),
    guidance: z.number().min(0).max(30),
    /** Epoch ms after which the work is worthless: the generation becomes `expired`. */
    deadlineAt: z.number().optional(),
    /** Checkpoint: epoch ms of the first ModelNotReady answer (the cold-load budget runs from here). */
    coldSince: z.number().optional(),
    /** Checkpoint: how often the affinity scheduler deferred this job (bounded, so it cannot starve). */
    deferrals: z.number().int().min(0).optional(),
    trace: JobTrace.optional(),
  })
  .refine((p) => (p.generationId === undefined) !== (p.batchId === undefined), {
    message: 'exactly one of generationId and batchId is required',
  });
export type GeneratePayload = z.output<typeof GeneratePayload>;

export const GenerateResult = z.object({
  images: z.number().int(),
  failed: z.number().int(),
  /** Why nothing was produced: the resource was canceled or expired meanwhile. */
  skipped: z.enum(['canceled', 'expired', 'finished']).optional(),
});
export type GenerateResult = z.output<typeof GenerateResult>;

export const generateQueue = defineQueue({
  name: 'generate',
  payload: GeneratePayload,
  result: GenerateResult,
  // 5xx/network: ~1 s, 2 s, 4 s, 8 s, 16 s with ±50 % jitter. Throttling and cold loads do not spend attempts.
  defaultJobOptions: { attempts: 6, backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 }, ...RETENTION },
});
