import { z } from 'zod';
import { idSchema, tenantIdSchema } from '../ids';
import { RETENTION } from '../queue-defaults';
import { defineQueue } from '../queue-definition';
import { JobTrace } from './job-trace';

/**
 * The train step machine: prepare → submit → await → register → warm → done.
 * Each step writes its result into the job data before the next starts, so a retry, a stall or an
 * operator "retry" resumes from the last checkpoint and never submits a training twice (the Redis
 * submission claim covers the gap between InvokeEndpointAsync returning and the checkpoint landing).
 */
export const TRAIN_STEPS = ['prepare', 'submit', 'await', 'register', 'warm', 'done'] as const;
export type TrainStep = (typeof TRAIN_STEPS)[number];

/** What finished steps recorded. Ids, S3 keys and locations only: never images, secrets or presigned URLs. */
export const TrainCheckpoint = z.object({
  /** prepare: the training tar's key in our bucket. */
  inputKey: z.string().optional(),
  /** submit: which submission of this model (1 unless a transient training failure was resubmitted). */
  submission: z.number().int().min(1).optional(),
  inferenceId: z.string().optional(),
  outputLocation: z.string().optional(),
  failureLocation: z.string().optional(),
  submittedAt: z.number().optional(),
  /** await: the training counts as lost ("training timed out") after this epoch ms. */
  deadlineAt: z.number().optional(),
  polls: z.number().int().min(0).optional(),
  /** await: the artifact key the container wrote into the MME prefix. */
  trainedArtifact: z.string().optional(),
  /** register: the server-built TargetModel and its ETag. */
  targetModel: z.string().optional(),
  targetEtag: z.string().optional(),
  /** warm: when the first warm call was made, and how many model errors it saw. */
  warmStartedAt: z.number().optional(),
  warmErrors: z.number().int().min(0).optional(),
  warmChecks: z.number().int().min(0).optional(),
});
export type TrainCheckpoint = z.output<typeof TrainCheckpoint>;

export const TrainPayload = z.object({
  tenantId: tenantIdSchema,
  modelId: idSchema('model'),
  step: z.enum(TRAIN_STEPS).default('prepare'),
  checkpoint: TrainCheckpoint.default({}),
  trace: JobTrace.optional(),
});
export type TrainPayload = z.output<typeof TrainPayload>;

export const TrainResult = z.object({
  modelId: idSchema('model'),
  /** Empty when the model was canceled or deleted and the result discarded. */
  targetModel: z.string(),
  outcome: z.enum(['ready', 'discarded']).default('ready'),
});
export type TrainResult = z.output<typeof TrainResult>;

export const trainQueue = defineQueue({
  name: 'train',
  payload: TrainPayload,
  result: TrainResult,
  // Attempts are spent only by real failures: waiting (DelayedError) and throttling (RateLimitError) are free.
  defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 5_000, jitter: 0.3 }, ...RETENTION },
});
