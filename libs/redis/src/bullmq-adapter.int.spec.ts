import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Job, Queue, QueueEvents, Worker, type DefaultJobOptions } from 'bullmq';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import {
  BULLMQ_VERSION_CHECKED,
  jobKeys,
  prioritizedJobWriter,
  prioritizedRank,
  updateJobDataIfLocked,
  waitingCount,
  type PrioritizedJobWrite,
} from './bullmq-adapter';
import { createRedisConnection } from './create-redis-connection';
import { SCRIPT_DIR } from './redis-scripts';

/** The include on its own, as a script that accepts work runs it (after checking that the job is new). */
const ADD_PRIORITIZED_JOB =
  readFileSync(path.join(SCRIPT_DIR, 'includes', 'add-prioritized-job.lua'), 'utf8') +
  '\naddPrioritizedJob(KEYS, unpack(ARGV))';

/** Like the generate queue's: attempts, exponential backoff with jitter, retention by age and count. */
const JOB_OPTIONS: DefaultJobOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  removeOnComplete: { age: 3600, count: 100 },
  removeOnFail: { age: 7200, count: 200 },
  keepLogs: 10,
};

/**
 * Pins what the BullMQ adapter assumes about BullMQ's Redis layout (a `*.redis.test.ts` in BullMQ's own
 * terms): if an upgrade moves the job hash, the lock or the prioritized set, this file fails, not production.
 */
describe('BullMQ adapter (real Redis, installed BullMQ)', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  it('is checked against the installed BullMQ version', () => {
    const manifest = path.join(path.dirname(require.resolve('bullmq')), '..', '..', 'package.json');
    const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; version: string };
    expect(name).toBe('bullmq');
    expect(version).toMatch(BULLMQ_VERSION_CHECKED);
  });

  it("finds a running job's hash and lock, and writes data only under the lock's token", async () => {
    const prefix = fx.keySpace().queuePrefix;
    const connection = { url: fx.server.url };
    const queue = new Queue('adapter', { connection, prefix });
    const seen: { keys: ReturnType<typeof jobKeys>; lock: string | null; hash: Record<string, string> }[] = [];
    const writes: boolean[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const worker = new Worker(
        'adapter',
        async (job: Job<{ step: number }>, token) => {
          const keys = jobKeys(job);
          seen.push({ keys, lock: await fx.redis.get(keys.lockKey), hash: await fx.redis.hgetall(keys.jobKey) });
          writes.push(await updateJobDataIfLocked(fx.redis, job, token, { step: 2 }));
          writes.push(await updateJobDataIfLocked(fx.redis, job, 'another-token', { step: 3 }));
          expect(seen[0]!.lock).toBe(token);
        },
        { connection, prefix },
      );
      worker.on('completed', () => void worker.close().then(resolve, reject));
      worker.on('failed', (_job, err) => void worker.close().then(() => reject(err), reject));
    });
    const job = await queue.add('step', { step: 1 }, { jobId: 'job-1' });
    await done;

    expect(seen[0]!.keys).toEqual({ jobKey: `${prefix}:adapter:job-1`, lockKey: `${prefix}:adapter:job-1:lock` });
    expect(seen[0]!.lock).toEqual(expect.any(String));
    expect(seen[0]!.hash.name).toBe('step');
    expect(writes).toEqual([true, false]);
    expect((await Job.fromId(queue, job.id!))!.data).toEqual({ step: 2 });
    expect(await fx.redis.exists(`${prefix}:adapter:job-1:lock`)).toBe(0);
    await queue.close();
  });

  it("reads a waiting job's rank in BullMQ's own priority order", async () => {
    const prefix = fx.keySpace().queuePrefix;
    const queue = new Queue('ranks', { connection: { url: fx.server.url }, prefix });
    await queue.add('a', {}, { jobId: 'low', priority: 10 });
    await queue.add('b', {}, { jobId: 'high-1', priority: 1 });
    await queue.add('c', {}, { jobId: 'high-2', priority: 1 });
    const order = (await queue.getJobs(['prioritized'], 0, -1, true)).map((j) => j.id);
    expect(order).toEqual(['high-1', 'high-2', 'low']);
    const redis = createRedisConnection({ url: fx.server.url, role: 'worker' });
    expect(await Promise.all(order.map((id) => prioritizedRank(redis, queue, id!)))).toEqual([0, 1, 2]);
    expect(await prioritizedRank(redis, queue, 'unknown')).toBeNull();
    redis.disconnect();
    await queue.close();
  });

  it('counts the jobs waiting for a worker as BullMQ does: waiting and prioritized, not delayed', async () => {
    const prefix = fx.keySpace().queuePrefix;
    const queue = new Queue('waiting', { connection: { url: fx.server.url }, prefix });
    await queue.add('a', {}, { jobId: 'plain' });
    await queue.add('b', {}, { jobId: 'ranked', priority: 5 });
    await queue.add('c', {}, { jobId: 'later', delay: 60_000 });
    const redis = createRedisConnection({ url: fx.server.url, role: 'worker' });
    const counts = await queue.getJobCounts('wait', 'prioritized');
    expect(await waitingCount(redis, queue)).toBe(counts.wait! + counts.prioritized!);
    expect(await waitingCount(redis, queue)).toBe(2);
    redis.disconnect();
    await queue.close();
  });

  describe('prioritizedJobWriter + add-prioritized-job.lua', () => {
    let redis: ReturnType<typeof createRedisConnection>;
    beforeAll(() => {
      redis = createRedisConnection({ url: fx.server.url, role: 'worker' });
    });
    afterAll(() => redis.disconnect());
    const addByScript = async (write: PrioritizedJobWrite) =>
      redis.eval(ADD_PRIORITIZED_JOB, write.keys.length, ...write.keys, ...write.args);
    const newQueue = (name: string, prefix = fx.keySpace().queuePrefix) =>
      new Queue(name, { connection: { url: fx.server.url }, prefix, defaultJobOptions: JOB_OPTIONS });
    /** A job's hash with its options parsed, and its entries on the queue's event stream. */
    const stored = async (queue: Queue, jobId: string) => {
      const { opts, ...hash } = await redis.hgetall(`${queue.qualifiedName}:${jobId}`);
      const events = (await redis.xrange(queue.keys.events!, '-', '+'))
        .map(([, fields]) => fields)
        .filter((fields) => fields[3] === jobId);
      return { hash, opts: JSON.parse(opts!) as Record<string, unknown>, events };
    };

    it('writes the job hash, the counters, the prioritized set, the marker and the events as queue.add does', async () => {
      const queue = newQueue('twin');
      const data = { prompt: 'a cat', items: [{ index: 0, seed: 1 }], deadlineAt: undefined };
      await queue.add('generate', data, { jobId: 'by-add', priority: 3 });
      const added = await stored(queue, 'by-add');
      await redis.del(queue.keys.marker!);
      await addByScript(prioritizedJobWriter(queue, 'generate', 3)('by-script', data, 1_700_000_000_123));
      const written = await stored(queue, 'by-script');

      expect(written.hash).toEqual({ ...added.hash, timestamp: '1700000000123' });
      expect(written.opts).toEqual({ ...added.opts, jobId: 'by-script' });
      expect(written.opts).toMatchObject({ kl: 10, attempts: 6, priority: 3 });
      expect(written.events).toEqual(
        added.events.map((fields) => fields.map((f) => (f === 'by-add' ? 'by-script' : f))),
      );
      expect(await redis.zrange(queue.keys.prioritized!, '0', '-1', 'WITHSCORES')).toEqual([
        'by-add',
        String(3 * 2 ** 32 + 1),
        'by-script',
        String(3 * 2 ** 32 + 2),
      ]);
      expect([await redis.get(queue.keys.id!), await redis.get(queue.keys.pc!)]).toEqual(['2', '2']);
      expect(await redis.zrange(queue.keys.marker!, '0', '-1')).toEqual(['0']);
      expect(await redis.hget(queue.keys.meta!, 'opts.maxLenEvents')).toBe('10000');
      const job = (await Job.fromId(queue, 'by-script'))!;
      expect([job.name, job.data, job.priority, job.timestamp, job.opts.attempts]).toEqual([
        'generate',
        { prompt: 'a cat', items: [{ index: 0, seed: 1 }] },
        3,
        1_700_000_000_123,
        6,
      ]);
      expect(await job.getState()).toBe('prioritized');
      await queue.obliterate({ force: true });
      await queue.close();
    });

    it('leaves the marker alone on a paused queue, as queue.add does', async () => {
      const queue = newQueue('paused');
      await queue.pause();
      await queue.add('generate', {}, { jobId: 'by-add', priority: 1 });
      const afterAdd = await redis.exists(queue.keys.marker!);
      await addByScript(prioritizedJobWriter(queue, 'generate', 1)('by-script', {}, Date.now()));
      expect([afterAdd, await redis.exists(queue.keys.marker!)]).toEqual([0, 0]);
      expect(await queue.getJobCountByTypes('prioritized')).toBe(2);
      await queue.obliterate({ force: true });
      await queue.close();
    });

    it('refuses priorities and default options that queue.add would write another way', () => {
      const queue = { keys: {}, defaultJobOptions: {} };
      expect(() => prioritizedJobWriter(queue, 'a', 0)).toThrow('integer priority from 1 to 2097152');
      expect(() => prioritizedJobWriter(queue, 'a', 2 ** 21 + 1)).toThrow('integer priority');
      expect(() => prioritizedJobWriter({ keys: {}, defaultJobOptions: { delay: 5 } }, 'a', 1)).toThrow(
        'Default job options not written this way: delay',
      );
      expect(() => prioritizedJobWriter(queue, 'a', 1)('0', {}, 1)).toThrow("JobId cannot be '0'");
    });

    it('gives a Worker its jobs in priority order among queue.add jobs, and QueueEvents sees them', async () => {
      const connection = { url: fx.server.url };
      const prefix = fx.keySpace().queuePrefix;
      const queue = newQueue('mixed', prefix);
      // From the stream's start: the queue is new, and no event can slip past before the first read.
      const queueEvents = new QueueEvents('mixed', { connection, prefix, lastEventId: '0-0' });
      const seen: string[] = [];
      queueEvents.on('added', ({ jobId }) => seen.push(`added ${jobId}`));
      queueEvents.on('waiting', ({ jobId }) => seen.push(`waiting ${jobId}`));
      await queueEvents.waitUntilReady();
      const write = (priority: number) => prioritizedJobWriter(queue, 'work', priority);
      await queue.add('work', { n: 1 }, { jobId: 'low', priority: 10 });
      await addByScript(write(1)('urgent-1', { n: 2 }, Date.now()));
      await queue.add('work', { n: 3 }, { jobId: 'urgent-2', priority: 1 });
      await addByScript(write(2)('mid', { n: 4 }, Date.now()));
      await addByScript(write(1)('urgent-3', { n: 5 }, Date.now()));
      const order = (await queue.getJobs(['prioritized'], 0, -1, true)).map((j) => j.id);
      expect(order).toEqual(['urgent-1', 'urgent-2', 'urgent-3', 'mid', 'low']);
      expect(await Promise.all(order.map((id) => prioritizedRank(redis, queue, id!)))).toEqual([0, 1, 2, 3, 4]);

      const processed: { id: string; data: unknown }[] = [];
      const worker = new Worker(
        'mixed',
        async (job: Job<{ n: number }>) => {
          processed.push({ id: job.id!, data: job.data });
          return job.data.n * 10;
        },
        { connection, prefix, concurrency: 1 },
      );
      const results = await Promise.all(
        order.map(async (id) => (await Job.fromId(queue, id!))!.waitUntilFinished(queueEvents)),
      );
      await worker.close();
      expect(processed.map((p) => p.id)).toEqual(order);
      expect(results).toEqual([20, 30, 50, 40, 10]);
      expect(processed.find((p) => p.id === 'mid')?.data).toEqual({ n: 4 });
      for (const id of order) expect(seen).toEqual(expect.arrayContaining([`added ${id}`, `waiting ${id}`]));
      await queueEvents.close();
      await queue.obliterate({ force: true });
      await queue.close();
    });
  });
});
