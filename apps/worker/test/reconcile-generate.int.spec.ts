import request from 'supertest';
import { EventLog, type StoredEvent } from '@dreamqueue/records';
import { eventually } from '@dreamqueue/testing';
import { startGenerationHarness, type GenerationHarness } from '../../api/test/generation-harness';
import { stallUntilFailed, testReconciler, type TestReconciler } from './reconcile-harness';

/** The reconciler against real Redis, real BullMQ, the real generate worker and the emulator (MME + S3). */
describe('reconciler: generations and batches', () => {
  let h: GenerationHarness;
  let key: string;
  let r: TestReconciler;
  let redisUrl: string;
  let events: EventLog;
  beforeAll(async () => {
    h = await startGenerationHarness();
    key = await h.keyFor('acme');
    await h.registerModel('acme', 'mdl_main', [[250, 200, 10]]);
    redisUrl = `redis://127.0.0.1:${h.redis.options.port}`;
    events = new EventLog(h.redis, h.keySpace);
    r = testReconciler({
      redisUrl,
      redis: h.redis,
      keySpace: h.keySpace,
      objects: h.objects,
      mmePrefix: h.emulator.mmePrefix,
    });
  });
  afterEach(async () => h.stopWorker());
  afterAll(async () => {
    await r.close();
    await h.close();
  });

  const generate = async (prompt: string) =>
    (
      await request(h.app)
        .post('/v1/generations')
        .set('authorization', `Bearer ${key}`)
        .send({ model: 'mdl_main', prompt, numImages: 2 })
        .expect(202)
    ).body.id as string;
  const generation = async (id: string) =>
    (await request(h.app).get(`/v1/generations/${id}`).set('authorization', `Bearer ${key}`)).body;
  const finished = (id: string) =>
    eventually(
      async () => {
        const body = await generation(id);
        return ['queued', 'running'].includes(body.status) ? undefined : body;
      },
      20_000,
      `generation ${id}`,
    );
  const eventsOf = async (id: string): Promise<StoredEvent[]> =>
    (await events.readAfter('acme', '0', 10_000)).filter((e) => e.resourceId === id);
  /** The batch's NDJSON manifest, one parsed line per item. */
  const resultsOf = async (batchId: string) =>
    (await request(h.app).get(`/v1/batches/${batchId}/results`).set('authorization', `Bearer ${key}`)).text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));

  it('R1a: a generation whose queued job was lost (removed, or gone in a Redis crash) is re-enqueued with the same id and succeeds', async () => {
    const id = await generate('lost while queued');
    expect(await h.queue.remove(id)).toBe(1);
    await r.reconciler.runOnce();
    expect(r.repairs).toContainEqual(
      expect.objectContaining({ resource: 'generation', resourceId: id, action: 'reenqueued' }),
    );
    expect(await h.queue.getJob(id)).toBeDefined();
    await h.startWorker();
    const done = await finished(id);
    expect(done.status).toBe('succeeded');
    expect(done.images).toHaveLength(2);
    expect((await eventsOf(id)).map((e) => e.type)).toEqual([
      'generation.queued',
      'generation.running',
      'generation.succeeded',
    ]);
  });

  it('A2: a generation whose job BullMQ failed as "job stalled more than allowable limit" becomes failed with that reason, once, with its event', async () => {
    const id = await generate('stalls forever');
    const reason = await stallUntilFailed({
      queueName: 'generate',
      redisUrl,
      prefix: h.keySpace.queuePrefix,
      jobId: id,
    });
    expect(reason).toBe('job stalled more than allowable limit');
    expect(await (await h.queue.getJob(id))!.getState()).toBe('failed');
    expect((await generation(id)).status).toBe('queued');
    await r.reconciler.runOnce();
    await r.reconciler.runOnce();
    expect(await generation(id)).toMatchObject({
      status: 'failed',
      error: { code: 'job_failed', message: 'job stalled more than allowable limit' },
    });
    const failed = (await eventsOf(id)).filter((e) => e.type === 'generation.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({ error: { message: 'job stalled more than allowable limit' } });
    expect(r.repairs.filter((x) => x.resourceId === id)).toEqual([
      expect.objectContaining({ action: 'failed_from_job', reason: 'job stalled more than allowable limit' }),
    ]);
  });

  it('R1a: a batch whose last chunk job vanished is re-enqueued from the stored item specs and completes exactly once with every item', async () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ prompt: `item ${i}`, seed: 100 + i }));
    const res = await request(h.app)
      .post('/v1/batches')
      .set('authorization', `Bearer ${key}`)
      .send({ model: 'mdl_main', defaults: {}, items })
      .expect(202);
    const batchId = res.body.id as string;
    const lostJob = await h.queue.getJob(`${batchId}-2`);
    expect(await h.queue.remove(`${batchId}-2`)).toBe(1);
    await h.startWorker();
    const view = async () =>
      (await request(h.app).get(`/v1/batches/${batchId}`).set('authorization', `Bearer ${key}`)).body;
    await eventually(
      async () => ((await view()).counts?.succeeded === 16 ? true : undefined),
      20_000,
      'the two surviving chunks',
    );
    expect((await view()).status).toBe('running');
    await Promise.all([r.reconciler.runOnce(), r.reconciler.runOnce()]);
    const rerun = await h.queue.getJob(`${batchId}-2`);
    expect(rerun?.data).toEqual(lostJob!.data);
    const done = await eventually(
      async () => {
        const body = await view();
        return body.status === 'completed' ? body : undefined;
      },
      20_000,
      'the re-enqueued chunk',
    );
    expect(done).toMatchObject({ counts: expect.objectContaining({ succeeded: 20, failed: 0 }) });
    await r.reconciler.runOnce();
    expect((await eventsOf(batchId)).filter((e) => e.type === 'batch.completed')).toHaveLength(1);
    const results = await resultsOf(batchId);
    expect(results.map((l) => [l.status, l.seed])).toEqual(items.map((i) => ['succeeded', i.seed]));
    expect(r.repairs.filter((x) => x.resourceId === batchId).map((x) => x.action)).toEqual(['reenqueued']);
  });

  it('R1a: a lost first-round chunk whose item specs are missing (a batch from before they were stored) fails its items as job_lost', async () => {
    const items = Array.from({ length: 9 }, (_, i) => ({ prompt: `old ${i}` }));
    const res = await request(h.app)
      .post('/v1/batches')
      .set('authorization', `Bearer ${key}`)
      .send({ model: 'mdl_main', defaults: {}, items })
      .expect(202);
    const batchId = res.body.id as string;
    await h.objects.delete(`tenants/acme/batches/${batchId}/items/0.ndjson`);
    expect(await h.queue.remove(`${batchId}-1`)).toBe(1);
    await h.startWorker();
    const view = async () =>
      (await request(h.app).get(`/v1/batches/${batchId}`).set('authorization', `Bearer ${key}`)).body;
    await eventually(async () => ((await view()).counts?.succeeded === 8 ? true : undefined), 20_000, 'chunk 0');
    await r.reconciler.runOnce();
    expect(await view()).toMatchObject({
      status: 'completed',
      counts: expect.objectContaining({ succeeded: 8, failed: 1 }),
    });
    expect((await eventsOf(batchId)).filter((e) => e.type === 'batch.completed')).toHaveLength(1);
    const results = await resultsOf(batchId);
    expect(results[8].error?.code).toBe('job_lost');
  });

  it('nothing younger than the grace is touched; the same generation is repaired once the grace has passed', async () => {
    const graced = testReconciler({
      redisUrl,
      redis: h.redis,
      keySpace: h.keySpace,
      objects: h.objects,
      graceMs: 5 * 60_000,
    });
    try {
      const id = await generate('young and lost');
      await h.queue.remove(id);
      const run = await graced.reconciler.runOnce();
      expect(run.checked.generation).toBe(0);
      expect(graced.repairs).toEqual([]);
      expect(await h.queue.getJob(id)).toBeUndefined();
      graced.advance(5 * 60_000 + 1_000);
      await graced.reconciler.runOnce();
      expect(graced.repairs).toEqual([expect.objectContaining({ resourceId: id, action: 'reenqueued' })]);
      expect(await h.queue.getJob(id)).toBeDefined();
      // Leave no waiting job behind for the next test (cancel removes it).
      await request(h.app).post(`/v1/generations/${id}/cancel`).set('authorization', `Bearer ${key}`).expect(200);
    } finally {
      await graced.close();
    }
  });

  it('two reconcilers at once: one holds the lease, and even without it each repair happens once', async () => {
    const other = testReconciler({
      redisUrl,
      redis: h.redis,
      keySpace: h.keySpace,
      objects: h.objects,
      holder: 'other',
    });
    try {
      const first = await generate('failed once');
      await stallUntilFailed({ queueName: 'generate', redisUrl, prefix: h.keySpace.queuePrefix, jobId: first });
      const runs = await Promise.all([r.reconciler.tick(), other.reconciler.tick()]);
      expect(runs.filter((x) => x !== undefined)).toHaveLength(1);
      const second = await generate('failed twice');
      await stallUntilFailed({ queueName: 'generate', redisUrl, prefix: h.keySpace.queuePrefix, jobId: second });
      await Promise.all([r.reconciler.runOnce(), other.reconciler.runOnce()]);
      for (const id of [first, second]) {
        expect((await generation(id)).status).toBe('failed');
        expect((await eventsOf(id)).filter((e) => e.type === 'generation.failed')).toHaveLength(1);
        expect([...r.repairs, ...other.repairs].filter((x) => x.resourceId === id)).toHaveLength(1);
      }
    } finally {
      await other.close();
    }
  });
});
