import { z } from 'zod';
import { idSchema, tenantIdSchema } from '../ids';
import { RETENTION } from '../queue-defaults';
import { defineQueue } from '../queue-definition';

/** Triton's `max_batch_size` on the multi-model endpoint: one invocation carries at most this many rows. */
export const MAX_BATCH_SIZE = 8;

/** BullMQ priorities: lower runs first. Interactive generations always go before batch work. */
export const PRIORITY = { interactive: 1, batch: 10 } as const;

export const GenerateItem = z.object({
  /** Position of the row: image index within a generation, or item index within a batch. */
  index: z.number().int().min(0),
  prompt: z.string().min(1),
  negativePrompt: z.string().default(''),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
});
export type GenerateItem = z.output<typeof GenerateItem>;

export const GeneratePayload = z.object({
  tenantId: tenantIdSchema,
  modelId: idSchema('model'),
  /** Exactly one of generationId / batchId names the resource this invocation belongs to. */
  generationId: idSchema('generation').optional(),
  batchId: idSchema('batch').optional(),
  items: z.array(GenerateItem).min(1).max(MAX_BATCH_SIZE),
  steps: z.number().int().min(1).max(150),
  guidance: z.number().min(0).max(30),
  deadlineAt: z.number().optional(),
});
export type GeneratePayload = z.output<typeof GeneratePayload>;

export const GenerateResult = z.object({ images: z.number().int(), failed: z.number().int() });
export type GenerateResult = z.output<typeof GenerateResult>;

export const generateQueue = defineQueue({
  name: 'generate',
  payload: GeneratePayload,
  result: GenerateResult,
  defaultJobOptions: { attempts: 6, backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 }, ...RETENTION },
});
