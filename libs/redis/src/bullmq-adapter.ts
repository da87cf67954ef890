import { optsEncodeMap, type Job, type JobsOptions, type Queue } from 'bullmq';
import { type Redis } from 'ioredis';
import { runScript } from './redis-scripts';

/**
 * The one place dreamqueue relies on what BullMQ's public API does not offer: where it keeps a job's hash
 * and lock, and how it orders waiting prioritized jobs. Everything else uses BullMQ's public API only.
 * `bullmq-adapter.int.spec.ts` pins each assumption against a real Redis and the installed BullMQ, and fails
 * on any BullMQ version other than the one checked here: re-read BullMQ's `src/classes/queue-keys.ts`,
 * `src/commands/addPrioritizedJob-*.lua` (with `Job.create` and `addJobToTransaction`, which build its
 * arguments) and `extendLock-*.lua` before raising it.
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
 * Jobs waiting to be taken by a worker: BullMQ's wait list and its prioritized set, read in one round trip
 * (the public `getJobCounts('wait', 'prioritized')` names the same two keys).
 */
export async function waitingCount(redis: Redis, queue: Pick<Queue, 'qualifiedName'>): Promise<number> {
  const replies = await redis
    .multi()
    .llen(`${queue.qualifiedName}:wait`)
    .zcard(`${queue.qualifiedName}:prioritized`)
    .exec();
  return (replies ?? []).reduce((sum, [, n]) => sum + Number(n ?? 0), 0);
}

/**
 * A prioritized job as `scripts/includes/add-prioritized-job.lua` writes it, for a script that adds it in
 * the same step as other writes. `keys`: marker, meta, id, prioritized, active, events, pc, the job's hash.
 * `args`: job id, name, data (JSON), opts (JSON), timestamp (epoch ms), priority.
 */
export interface PrioritizedJobWrite {
  keys: string[];
  args: (string | number)[];
}

/** BullMQ's highest priority (`validateOptions`). */
const PRIORITY_LIMIT = 2 ** 21;
/** Default options that take BullMQ's add down paths `add-prioritized-job.lua` does not follow. */
const UNSUPPORTED_OPTIONS = [
  'delay',
  'deduplication',
  'debounce',
  'parent',
  'repeat',
  'telemetry',
  'sizeLimit',
  'timestamp',
];

/**
 * What `queue.add(name, data, { jobId, priority })` sends to BullMQ's `addPrioritizedJob` script, built for
 * `add-prioritized-job.lua`: the options are the queue's default job options merged and encoded as
 * `Job.create` does (`attempts` defaulting to 0, a numeric `backoff` normalized, undefined fields dropped,
 * long names shortened), prepared once; per job only the id, the data and the timestamp change. Throws at
 * once for a priority or default options BullMQ would add another way.
 */
export function prioritizedJobWriter<Data>(
  queue: Pick<Queue, 'keys' | 'defaultJobOptions'>,
  name: string,
  priority: number,
): (jobId: string, data: Data, timestamp: number) => PrioritizedJobWrite {
  if (!Number.isInteger(priority) || priority < 1 || priority > PRIORITY_LIMIT) {
    throw new Error(`A prioritized job needs an integer priority from 1 to ${PRIORITY_LIMIT}, got ${priority}`);
  }
  const defaults: JobsOptions = { attempts: 0, ...queue.defaultJobOptions, priority };
  const unsupported = UNSUPPORTED_OPTIONS.filter((option) => (defaults as Record<string, unknown>)[option]);
  if (unsupported.length > 0) throw new Error(`Default job options not written this way: ${unsupported.join(', ')}`);
  if (typeof defaults.backoff === 'number') defaults.backoff = { type: 'fixed', delay: defaults.backoff };
  const encodings = optsEncodeMap as Record<string, string>;
  const encoded: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(defaults)) {
    if (value !== undefined) encoded[encodings[option] ?? option] = value;
  }
  // The job id is the one option that differs per job: appended to the prepared JSON, not spread into it.
  const optsHead = JSON.stringify(encoded).slice(0, -1) + ',"jobId":';
  const k = queue.keys;
  const fixedKeys = [k.marker, k.meta, k.id, k.prioritized, k.active, k.events, k.pc];
  return (jobId, data, timestamp) => {
    if (jobId === '0' || jobId.startsWith('0:')) throw new Error("JobId cannot be '0' or start with '0:'");
    const json = JSON.stringify(data === undefined ? {} : data);
    return {
      keys: [...fixedKeys, k[''] + jobId],
      args: [jobId, name, json, `${optsHead}${JSON.stringify(jobId)}}`, timestamp, priority],
    };
  };
}
