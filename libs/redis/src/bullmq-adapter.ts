import { type Job, type Queue } from 'bullmq';
import { type Redis } from 'ioredis';
import { runScript } from './redis-scripts';

/**
 * The one place dreamqueue relies on what BullMQ's public API does not offer: where it keeps a job's hash
 * and lock, and how it orders waiting prioritized jobs. Everything else uses BullMQ's public API only.
 * `bullmq-adapter.int.spec.ts` pins each assumption against a real Redis and the installed BullMQ, and fails
 * on any BullMQ version other than the one checked here: re-read BullMQ's `src/classes/queue-keys.ts`,
 * `src/commands/addPrioritizedJob-*.lua` and `extendLock-*.lua` before raising it.
 */
export const BULLMQ_VERSION_CHECKED = /^6\.7\.\d+$/;

/** A job's hash (`<prefix>:<queue>:<id>`) and its lock (`…:lock`, holding the worker's token). */
export function jobKeys(job: Job): { jobKey: string; lockKey: string } {
  const jobKey = `${job.queueQualifiedName}:${job.id!}`;
  return { jobKey, lockKey: `${jobKey}:lock` };
}

/**
 * `job.updateData`, but only while `token` still holds the job's lock: a worker that froze and lost the job
 * must not overwrite what the worker that took it over wrote. Returns false when the lock is gone. Without
 * a token (a job run outside a Worker) it is a plain `job.updateData`.
 */
export async function updateJobDataIfLocked<T>(
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
 * A waiting job's place (0 = next) among the queue's prioritized jobs, or null when it is not waiting there.
 * BullMQ keeps them in one sorted set scored by priority and insertion order; ZRANK reads the place in one
 * command where the public `getJobs(['prioritized'])` would page through every job ahead of it.
 */
export async function prioritizedRank(redis: Redis, queue: Pick<Queue, 'qualifiedName'>, jobId: string) {
  return redis.zrank(`${queue.qualifiedName}:prioritized`, jobId);
}

/**
 * What `prioritizedRank` would say of a job added now at `priority`, as a sorted-set range to count before
 * adding it (so the count can travel in the same round trip as other intake work): BullMQ scores a
 * prioritized job `priority × 2³² + a counter`, so the jobs ahead of a new one are those scored below
 * `(priority + 1) × 2³²` — every job of its own or a more urgent priority already waiting.
 */
export function prioritizedAhead(
  queue: Pick<Queue, 'qualifiedName'>,
  priority: number,
): { key: string; maxScore: string } {
  return { key: `${queue.qualifiedName}:prioritized`, maxScore: `(${(priority + 1) * 2 ** 32}` };
}
