import { type Job } from 'bullmq';
import { type Redis } from 'ioredis';
import { type generateQueue, type trainQueue, type TypedQueue } from '@dreamqueue/contracts';
import { type Logger } from '@dreamqueue/logger';
import {
  type ActiveIndex,
  type ActiveKind,
  type BatchStore,
  type GenerationStore,
  type ModelDemand,
  type ModelStore,
} from '@dreamqueue/records';
import { type KeySpace } from '@dreamqueue/redis';
import { type ObjectStore } from '@dreamqueue/storage';

/** What the reconciler reads and repairs; built by `startReconciler` (or directly in tests). */
export interface ReconcileDeps {
  redis: Redis;
  keySpace: KeySpace;
  logger: Logger;
  index: ActiveIndex;
  models: ModelStore;
  generations: GenerationStore;
  batches: BatchStore;
  demand: ModelDemand;
  objects: Pick<ObjectStore, 'head' | 'get' | 'put' | 'delete'>;
  trainQueue: TypedQueue<typeof trainQueue>;
  generateQueue: TypedQueue<typeof generateQueue>;
  /** Where registered artifacts live (a model failed by the reconciler must not stay loadable). */
  mmePrefix: string;
  now(): number;
  /** Called once per repair: logs it and counts it. */
  repaired(repair: Repair): void;
}

export interface Repair {
  resource: ActiveKind;
  tenantId: string;
  resourceId: string;
  /** e.g. `reenqueued`, `failed_from_job`, `completed_from_job`, `expired`, `finalized`, `items_lost`. */
  action: string;
  reason?: string;
}

/** A job's state as the reconciler sees it; `missing` when BullMQ no longer has the job. */
export type JobView<T> =
  | { state: 'missing' }
  | { state: 'pending'; job: Job<T> }
  | { state: 'completed'; job: Job<T> }
  | { state: 'failed'; job: Job<T> };

/** Waiting, prioritized, delayed, active, paused: someone will run it; leave it alone. */
export async function viewJob<T>(
  queue: { getJob(id: string): Promise<Job<T> | undefined> },
  id: string,
): Promise<JobView<T>> {
  const job = await queue.getJob(id);
  if (!job) return { state: 'missing' };
  const state = await job.getState();
  if (state === 'completed') return { state: 'completed', job };
  if (state === 'failed') return { state: 'failed', job };
  if (state === 'unknown') return { state: 'missing' };
  return { state: 'pending', job };
}
