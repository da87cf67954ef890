import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Job, Queue, Worker } from 'bullmq';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import {
  BULLMQ_VERSION_CHECKED,
  jobKeys,
  prioritizedAhead,
  prioritizedRank,
  updateJobDataIfLocked,
} from './bullmq-adapter';
import { createRedisConnection } from './create-redis-connection';

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

  it('counts, before a job is added, the jobs that will be ahead of it (its rank once added)', async () => {
    const prefix = fx.keySpace().queuePrefix;
    const queue = new Queue('ahead', { connection: { url: fx.server.url }, prefix });
    const redis = createRedisConnection({ url: fx.server.url, role: 'worker' });
    const ahead = async (priority: number) => {
      const { key, maxScore } = prioritizedAhead(queue, priority);
      return redis.zcount(key, '-inf', maxScore);
    };
    const added: [string, number][] = [
      ['batch-1', 10],
      ['urgent-1', 1],
      ['mid-1', 2],
      ['urgent-2', 1],
      ['batch-2', 10],
      ['mid-2', 2],
      ['urgent-3', 1],
    ];
    for (const [jobId, priority] of added) {
      const predicted = await ahead(priority);
      await queue.add(jobId, {}, { jobId, priority });
      expect([jobId, await prioritizedRank(redis, queue, jobId)]).toEqual([jobId, predicted]);
    }
    redis.disconnect();
    await queue.close();
  });
});
