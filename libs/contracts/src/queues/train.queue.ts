import { z } from 'zod';
import { idSchema, tenantIdSchema } from '../ids';
import { RETENTION } from '../queue-defaults';
import { defineQueue } from '../queue-definition';

/**
 * The train step machine: prepare → submit → await → register → warm → done.
 * Each step writes its result into the job data (`job.updateData`) before the next starts, so a retry,
 * a stall or an operator "retry" resumes from the last checkpoint and never submits a training twice.
 */
export const TRAIN_STEPS = ['prepare', 'submit', 'await', 'register', 'warm', 'done'] as const;
export type TrainStep = (typeof TRAIN_STEPS)[number];

export const TrainPayload = z.object({
  tenantId: tenantIdSchema,
  modelId: idSchema('model'),
  step: z.enum(TRAIN_STEPS).default('prepare'),
  /** Checkpointed results of finished steps. Never secrets, never presigned URLs. */
  checkpoint: z
    .object({
      inputKey: z.string().optional(),
      inferenceId: z.string().optional(),
      outputLocation: z.string().optional(),
      failureLocation: z.string().optional(),
      submittedAt: z.number().optional(),
      deadlineAt: z.number().optional(),
      polls: z.number().int().optional(),
      trainedArtifact: z.string().optional(),
      targetModel: z.string().optional(),
    })
    .default({}),
});
export type TrainPayload = z.output<typeof TrainPayload>;

export const TrainResult = z.object({ modelId: idSchema('model'), targetModel: z.string() });
export type TrainResult = z.output<typeof TrainResult>;

export const trainQueue = defineQueue({
  name: 'train',
  payload: TrainPayload,
  result: TrainResult,
  defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 5_000, jitter: 0.3 }, ...RETENTION },
});
