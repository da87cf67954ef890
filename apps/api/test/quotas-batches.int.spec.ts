import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import request from 'supertest';
import { s3ClientFor, eventually } from '@dreamqueue/testing';
import { quotaTenants, type QuotaTenant as Tenant } from './fixtures/quota-tenants';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

describe('quotas on batches: queued items and images per minute, refused whole (real Redis, emulator, real worker)', () => {
  let h: GenerationHarness;
  const tenants = quotaTenants(() => h, 'batches');
  const { as } = tenants;
  const tenant = tenants.create;
  const usage = tenants.quotas;
  beforeAll(async () => {
    h = await startGenerationHarness();
  });
  afterAll(async () => h.close());
  afterEach(async () => h.stopWorker());

  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `item ${i}` }));
  const postBatch = (t: Tenant, n: number) =>
    as(t, request(h.app).post('/v1/batches')).send({ model: 'mdl_q', items: items(n), defaults: { steps: 10 } });
  /** Everything a batch leaves in S3 and the queue, per batch id. */
  async function leftovers(t: Tenant) {
    const listed = await s3ClientFor(h.emulator).send(
      new ListObjectsV2Command({ Bucket: h.emulator.bucket, Prefix: `tenants/${t.id}/batches/` }),
    );
    const inS3 = new Set((listed.Contents ?? []).map((o) => o.Key!.split('/')[3]!));
    const jobs = await h.queue.getJobs(['waiting', 'prioritized', 'delayed', 'active']);
    const queued = new Set(jobs.filter((j) => j.data.tenantId === t.id).map((j) => j.data.batchId!));
    const records = await h.redis.keys(`${h.keySpace.key('batch', t.id)}:bat_*`);
    const recorded = new Set(
      records.filter((k) => !k.includes(':items') && !k.includes(':retry')).map((k) => k.split(':').pop()!),
    );
    return { inS3: [...inS3].sort(), queued: [...queued].sort(), recorded: [...recorded].sort() };
  }
  const ended = (t: Tenant, id: string) =>
    eventually(
      async () => {
        const res = await as(t, request(h.app).get(`/v1/batches/${id}`));
        return ['completed', 'canceled'].includes(res.body.status) ? res.body : undefined;
      },
      30_000,
      `batch ${id}`,
    );

  it('a batch that would pass queuedItems is refused whole: 429 with Retry-After, no record, job or S3 object', async () => {
    const t = await tenant({ queuedItems: 20 });
    const first = (await postBatch(t, 16).expect(202)).body.id as string;
    const refused = await postBatch(t, 8).expect(429);
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.body.error).toEqual({
      code: 'queued_items_quota_exceeded',
      message: expect.stringMatching(/20 queued items.*16 queued or running.*needs 8/),
      details: { quota: 'queuedItems', limit: 20, usage: 16, requested: 8, retryAfterSeconds: 10 },
    });
    expect(await leftovers(t)).toEqual({ inS3: [first], queued: [first], recorded: [first] });
    expect((await usage(t)).queuedItems).toEqual({ limit: 20, source: 'tenant', usage: 16 });
    // Exactly what is left fits.
    const second = (await postBatch(t, 4).expect(202)).body.id as string;
    expect((await usage(t)).queuedItems.usage).toBe(20);
    expect((await leftovers(t)).recorded).toEqual([first, second].sort());
  });

  it('a batch larger than the limit itself → 422 request_exceeds_quota, no Retry-After, nothing stored', async () => {
    const t = await tenant({ queuedItems: 10 });
    const res = await postBatch(t, 11).expect(422);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.body.error).toMatchObject({
      code: 'request_exceeds_quota',
      details: { quota: 'queuedItems', limit: 10, usage: 0, requested: 11 },
    });
    expect(await leftovers(t)).toEqual({ inS3: [], queued: [], recorded: [] });
  });

  it('concurrent batches never overshoot: of 6 batches of 8 under a limit of 24, exactly 3 are accepted, the rest leave nothing', async () => {
    const t = await tenant({ queuedItems: 24 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => postBatch(t, 8)));
    const accepted = answers
      .filter((r) => r.status === 202)
      .map((r) => r.body.id as string)
      .sort();
    expect(accepted).toHaveLength(3);
    expect(answers.filter((r) => r.status === 429).map((r) => r.body.error.code)).toEqual(
      Array(3).fill('queued_items_quota_exceeded'),
    );
    expect(await leftovers(t)).toEqual({ inS3: accepted, queued: accepted, recorded: accepted });
    expect((await usage(t)).queuedItems.usage).toBe(24);
  });

  it('items finished by the real worker give their room back; so do the items of a canceled batch', async () => {
    const t = await tenant({ queuedItems: 16 });
    const canceled = (await postBatch(t, 8).expect(202)).body.id as string;
    const run = (await postBatch(t, 8).expect(202)).body.id as string;
    await postBatch(t, 1).expect(429);
    await as(t, request(h.app).post(`/v1/batches/${canceled}/cancel`)).expect(200);
    expect((await ended(t, canceled)).counts.canceled).toBe(8);
    expect((await usage(t)).queuedItems.usage).toBe(8);

    await h.startWorker();
    expect((await ended(t, run)).counts).toEqual({ pending: 0, succeeded: 8, failed: 0, canceled: 0 });
    expect((await usage(t)).queuedItems.usage).toBe(0);
    await postBatch(t, 16).expect(202);
  });

  it('retry-failed asks the quotas for the items it re-queues: refused whole while they do not fit, accepted once they do', async () => {
    const t = await tenant({});
    const fault = { op: 'invoke', error: 'ModelError', originalStatusCode: 400, rate: 1, count: 1 } as const;
    h.emulator.setFaults([{ ...fault, targetModel: t.targetModel }]);
    await h.startWorker();
    const id = (await postBatch(t, 16).expect(202)).body.id as string;
    expect((await ended(t, id)).counts).toEqual({ pending: 0, succeeded: 8, failed: 8, canceled: 0 });
    h.emulator.setFaults([]);
    await h.stopWorker();
    expect((await usage(t)).queuedItems.usage).toBe(0);

    await h.quotas.set(t.id, { queuedItems: 10 });
    const blocker = (await postBatch(t, 4).expect(202)).body.id as string;
    const refused = await as(t, request(h.app).post(`/v1/batches/${id}/retry-failed`)).expect(429);
    expect(refused.body.error.details).toMatchObject({ quota: 'queuedItems', limit: 10, usage: 4, requested: 8 });
    const still = (await as(t, request(h.app).get(`/v1/batches/${id}`)).expect(200)).body;
    expect(still).toMatchObject({ status: 'completed', round: 0, counts: { failed: 8, pending: 0 } });

    await as(t, request(h.app).post(`/v1/batches/${blocker}/cancel`)).expect(200);
    const retried = await as(t, request(h.app).post(`/v1/batches/${id}/retry-failed`)).expect(202);
    expect(retried.body.retried).toBe(8);
    expect((await usage(t)).queuedItems.usage).toBe(8);
    await h.startWorker();
    expect((await ended(t, id)).counts).toEqual({ pending: 0, succeeded: 16, failed: 0, canceled: 0 });
    expect((await usage(t)).queuedItems.usage).toBe(0);
  });

  it('imagesPerMinute counts a batch’s items when it is accepted; over it, Retry-After says when the window has room', async () => {
    const t = await tenant({ imagesPerMinute: 20 });
    await postBatch(t, 12).expect(202);
    const refused = await postBatch(t, 10).expect(429);
    expect(refused.body.error).toMatchObject({
      code: 'images_per_minute_quota_exceeded',
      details: { quota: 'imagesPerMinute', limit: 20, usage: 12, requested: 10 },
    });
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect(refused.body.error.details.retryAfterSeconds).toBe(wait);
    expect((await usage(t)).imagesPerMinute).toEqual({ limit: 20, source: 'tenant', usage: 12 });
    await postBatch(t, 8).expect(202);
    expect((await postBatch(t, 21).expect(422)).body.error.code).toBe('request_exceeds_quota');
  });
});
