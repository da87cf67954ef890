import { type Job } from 'bullmq';
import { type Redis } from 'ioredis';
import { runScript } from '@dreamqueue/redis';

/** Where BullMQ keeps a job's hash and lock (`<prefix>:<queue>:<id>` and `…:lock`). */
export function jobKeys(job: Job): { jobKey: string; lockKey: string } {
  const jobKey = `${job.queueQualifiedName}:${job.id!}`;
  return { jobKey, lockKey: `${jobKey}:lock` };
}

/**
 * `job.updateData`, but only while this worker still holds the job lock: a worker that froze and lost the
 * job must not overwrite the newer checkpoint of the worker that took over. Returns false when the lock is
 * gone (the caller stops).
 */
export async function saveCheckpoint<T>(
  redis: Redis,
  job: Job<T>,
  token: string | undefined,
  data: T,
): Promise<boolean> {
  if (!token) {
    await job.updateData(data);
    return true;
  }
  const { jobKey, lockKey } = jobKeys(job);
  const ok =
    (await runScript<number>(
      redis,
      'update-job-data-if-locked-2',
      [lockKey, jobKey],
      [token, JSON.stringify(data)],
    )) === 1;
  if (ok) job.data = data;
  return ok;
}

/**
 * Pauses the whole queue for `ms` (BullMQ's `Queue#rateLimit`), through the job's own queue handle so
 * the processor needs no extra connection. Follow it with `throw Worker.RateLimitError()`.
 */
export async function rateLimitQueue(job: Job, ms: number): Promise<void> {
  const queue = (job as unknown as { queue: { backend: { setRateLimit(ms: number): Promise<void> } } }).queue;
  await queue.backend.setRateLimit(ms);
}
