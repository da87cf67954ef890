import { type Redis } from 'ioredis';
import { type MultiModelInference } from '@dreamqueue/aws';
import { type GeneratePayload } from '@dreamqueue/contracts';
import { type Logger } from '@dreamqueue/logger';
import {
  type BatchRecord,
  type BatchStore,
  type GenerationRecord,
  type GenerationStore,
  type ModelDemand,
} from '@dreamqueue/records';
import { type ObjectStore } from '@dreamqueue/storage';
import { type UsageRecorder } from '../usage/usage-recorder';
import { type AdaptiveLimiter } from './adaptive-limiter';
import { type ModelDispatcher } from './dispatch/model-dispatcher';
import { type DispatchState } from './dispatch/dispatch-state';
import { type ModelAffinity } from './model-affinity';
import { type WarmStamp } from './warm-stamp';

/** Everything the generate processor uses, built once by `generateModule`. */
export interface GenerateDeps {
  logger: Logger;
  /** A worker-role connection: job data is written through it only while this worker holds the job lock. */
  redis: Redis;
  objects: ObjectStore;
  mme: MultiModelInference;
  endpoint: string;
  generations: GenerationStore;
  batches: BatchStore;
  demand: ModelDemand;
  limiter: AdaptiveLimiter;
  affinity: ModelAffinity;
  /** Marks a model warm after a successful invocation (throttled per model). */
  warm: WarmStamp;
  /** The cost ledger: each answered invocation's GPU time. */
  usage: UsageRecorder;
  /** Model-aware dispatch of batch work (absent: batch jobs run in queue order, with `affinity`). */
  dispatch?: { dispatcher: ModelDispatcher; state: DispatchState; parkMs: number };
  /** Pauses the whole generate worker (BullMQ `worker.rateLimit`). */
  rateLimit: (ms: number) => Promise<void>;
  settings: GenerateSettings;
}

export interface GenerateSettings {
  /** Pause after a throttling answer (the AIMD gate shrinks as well). */
  throttleBackoffMs: number;
  /** How long ModelNotReady keeps being retried before the job fails (SageMaker loads for up to 360 s). */
  coldLoadBudgetMs: number;
  /** Delay between checks while the model loads. */
  coldRetryDelayMs: number;
}

/** The resource a job belongs to, loaded from its own Redis record. */
export type GenerateTarget =
  | { kind: 'generation'; tenantId: string; targetModel: string; record: GenerationRecord }
  | { kind: 'batch'; tenantId: string; targetModel: string; record: BatchRecord };

export async function loadTarget(deps: GenerateDeps, p: GeneratePayload): Promise<GenerateTarget | undefined> {
  if (p.generationId) {
    const record = await deps.generations.get(p.tenantId, p.generationId);
    return record && { kind: 'generation', tenantId: p.tenantId, targetModel: record.targetModel, record };
  }
  const record = await deps.batches.get(p.tenantId, p.batchId!);
  return record && { kind: 'batch', tenantId: p.tenantId, targetModel: record.targetModel, record };
}

/** A readable failure recorded on the generation or on each batch item. */
export interface FailureReason {
  code: string;
  message: string;
}
