import { Worker } from 'bullmq';
import { type Redis } from 'ioredis';
import { createLogger } from '@dreamqueue/logger';
import { type KeySpace } from '@dreamqueue/redis';
import { type ObjectStore } from '@dreamqueue/storage';
import { type ReconcileDeps, type Repair } from '../src/reconcile/reconcile-deps';
import { Reconciler } from '../src/reconcile/reconciler';
import { createReconcileDeps } from '../src/reconcile/start-reconciler';

export interface TestReconciler {
  reconciler: Reconciler;
  deps: ReconcileDeps;
  /** Every repair reported, in order. */
  repairs: Repair[];
  /** Moves the reconciler's clock (time compression for the grace period). */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** A reconciler on a harness's Redis and S3, with a controllable clock; grace 0 unless given. */
export function testReconciler(opts: {
  redisUrl: string;
  redis: Redis;
  keySpace: KeySpace;
  objects: ObjectStore;
  mmePrefix?: string;
  graceMs?: number;
  holder?: string;
}): TestReconciler {
  let offset = 0;
  const repairs: Repair[] = [];
  const deps = createReconcileDeps({
    redis: opts.redis,
    keySpace: opts.keySpace,
    objects: opts.objects,
    connection: { url: opts.redisUrl },
    logger: createLogger({ name: 'reconcile-test', level: 'silent' }),
    mmePrefix: opts.mmePrefix ?? 'models/',
    progressIntervalMs: 50,
    now: () => Date.now() + offset,
    repaired: (r) => repairs.push(r),
  });
  const reconciler = new Reconciler(deps, { intervalMs: 60_000, graceMs: opts.graceMs ?? 0, holder: opts.holder });
  return {
    reconciler,
    deps,
    repairs,
    advance: (ms) => void (offset += ms),
    async close() {
      await reconciler.stop();
      await deps.closeQueues();
    },
  };
}

/**
 * Makes BullMQ itself fail job `jobId` with "job stalled more than allowable limit": a worker takes it and
 * hangs, is force-closed (its lock lapses), and a second worker's stalled check — maxStalledCount 0 — fails it.
 */
export async function stallUntilFailed(opts: {
  queueName: string;
  redisUrl: string;
  prefix: string;
  jobId: string;
}): Promise<string> {
  const connection = { url: opts.redisUrl, maxRetriesPerRequest: null };
  const settings = { connection, prefix: opts.prefix, lockDuration: 300, stalledInterval: 200, maxStalledCount: 0 };
  let taken!: () => void;
  const started = new Promise<void>((resolve) => (taken = resolve));
  const hanging = new Worker(
    opts.queueName,
    (job) => {
      if (job.id !== opts.jobId)
        throw new Error(`stallUntilFailed expects ${opts.jobId} to be the only waiting job, got ${job.id}`);
      taken();
      return new Promise(() => undefined);
    },
    settings,
  );
  hanging.on('error', () => undefined);
  await started;
  await hanging.close(true);
  // The checker's stall check marks the job, BullMQ moves it back to wait, and the checker's fetch fails it.
  const checker = new Worker(opts.queueName, () => Promise.reject(new Error('the checker never processes jobs')), {
    ...settings,
    concurrency: 1,
  });
  checker.on('error', () => undefined);
  const failed = new Promise<string>((resolve) => {
    checker.on('failed', (job, err) => {
      if (job?.id === opts.jobId) resolve(err.message);
    });
  });
  try {
    return await failed;
  } finally {
    await checker.close(true);
  }
}
