import { type AsyncInference, type MultiModelInference } from '@dreamqueue/aws';
import { type TrainCheckpoint, type TrainStep } from '@dreamqueue/contracts';
import { type Logger } from '@dreamqueue/logger';
import { type ModelRecord } from '@dreamqueue/records';
import { type ObjectStore } from '@dreamqueue/storage';
import { type UsageRecorder } from '../usage/usage-recorder';
import { type TrainingClaims } from './training-claim';

/** Everything the train steps are tuned by (from the worker config, or set directly in tests). */
export interface TrainSettings {
  trainingEndpoint: string;
  mmeEndpoint: string;
  mmePrefix: string;
  invocationTimeoutSeconds: number;
  requestTtlSeconds: number;
  /** Real ms from submission after which the training counts as lost. */
  deadlineMs: number;
  pollIntervalMs: number;
  pollMaxIntervalMs: number;
  claimStaleMs: number;
  maxSubmissions: number;
  warmWindowMs: number;
  warmRetryMs: number;
  warmMaxErrors: number;
  throttleBackoffMs: number;
}

/** The ports a step may use. Steps never touch BullMQ: the processor turns outcomes into job moves. */
export interface TrainStepDeps {
  objects: ObjectStore;
  asyncInference: AsyncInference;
  mme: MultiModelInference;
  claims: TrainingClaims;
  /** The cost ledger: each training's GPU time, once its result is seen. */
  usage: Pick<UsageRecorder, 'record'>;
  settings: TrainSettings;
  logger: Logger;
  now(): number;
}

export interface StepInput {
  model: ModelRecord;
  checkpoint: TrainCheckpoint;
  jobId: string;
  /** The job lock, when the step must prove this worker still owns the job (the submission claim). */
  lock?: { key: string; token: string };
  /** The model was canceled or deleted: finish what is in flight, then discard it. */
  discarding?: boolean;
  signal?: AbortSignal;
}

/**
 * What a step decided: move on (`next`), stay and check again after `waitMs` (the job is delayed and
 * holds no worker slot), or stop (`discarded`). `patch` is merged into the checkpoint before either.
 */
export type StepOutcome =
  | { next: TrainStep; patch?: Partial<TrainCheckpoint>; progress?: number; log?: string }
  | { waitMs: number; patch?: Partial<TrainCheckpoint>; progress?: number; log?: string }
  | { discarded: true; patch?: Partial<TrainCheckpoint>; log?: string };

/** A failure that retrying cannot fix; the processor turns it into UnrecoverableError and a failed model. */
export class TrainingFailure extends Error {
  override readonly name = 'TrainingFailure';
}
