import { createHash } from 'node:crypto';
import request from 'supertest';
import { batchIdFor } from '../src/batches/create-batch';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

/** No worker runs here: the jobs stay in the queue to be inspected. */
describe('batch intake: all or nothing, and an Idempotency-Key never reaches another batch', () => {
  let h: GenerationHarness;
  let key: string;
  beforeAll(async () => {
    h = await startGenerationHarness();
    key = await h.keyFor('acme');
    await h.registerModel('acme', 'mdl_safe', [[10, 20, 200]]);
  });
  afterAll(async () => h.close());
  afterEach(() => h.emulator.setFaults([]));

  const post = (body: object, idempotencyKey?: string) => {
    const r = request(h.app).post('/v1/batches').set('authorization', `Bearer ${key}`);
    return (idempotencyKey ? r.set('idempotency-key', idempotencyKey) : r).send(body);
  };
  const items = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `${prefix} ${i}` }));
  /** What the idempotency record's 24 h expiry does, now. */
  const expireIdempotencyRecord = (idempotencyKey: string) =>
    h.redis.del(h.keySpace.key('idem', 'acme', createHash('sha256').update(idempotencyKey).digest('hex')));
  const specsOf = async (batchId: string) =>
    (await h.objects.get(`tenants/acme/batches/${batchId}/items/0.ndjson`)).toString('utf8');
  const jobCount = async () => Object.values(await h.queue.getJobCounts()).reduce((a, b) => a + b, 0);

  it('a key reused after its record expired, with other items, creates a new batch and leaves the old one as it was', async () => {
    const first = await post({ model: 'mdl_safe', items: items('old', 10) }, 'reuse-1').expect(202);
    const oldId = first.body.id as string;
    const oldSpecs = await specsOf(oldId);
    const oldJob = (await h.queue.getJob(`${oldId}-0`))!.data;
    await expireIdempotencyRecord('reuse-1');

    const second = await post({ model: 'mdl_safe', items: items('new', 5) }, 'reuse-1').expect(202);
    expect(second.body.id).not.toBe(oldId);
    expect(second.body.counts.pending).toBe(5);
    const old = await request(h.app).get(`/v1/batches/${oldId}`).set('authorization', `Bearer ${key}`).expect(200);
    expect(old.body.counts.pending).toBe(10);
    expect(await specsOf(oldId)).toBe(oldSpecs);
    expect((await h.queue.getJob(`${oldId}-0`))!.data).toEqual(oldJob);
    const newJob = (await h.queue.getJob(`${second.body.id}-0`))!.data;
    expect(newJob.items.map((i) => i.prompt)).toEqual(items('new', 5).map((i) => `photo of sks person, ${i.prompt}`));
  });

  it('the same request with the same key after the idempotency window is a new batch too', async () => {
    const body = { model: 'mdl_safe', items: items('same', 3) };
    const first = await post(body, 'reuse-2').expect(202);
    // As if the batch had been created two days ago and its idempotency record had expired since.
    const batchKey = h.keySpace.key('batch', 'acme', first.body.id);
    await h.redis.hset(batchKey, 'createdAt', new Date(Date.now() - 2 * 24 * 3600_000).toISOString());
    await expireIdempotencyRecord('reuse-2');
    const second = await post(body, 'reuse-2').expect(202);
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('item specs that cannot be stored answer 503 storage_unavailable, with no batch, no job and no spec part left', async () => {
    // The second part (items 8 000…) fails on every attempt; the first part is stored before it.
    h.emulator.setFaults([{ op: 's3:PutObject', error: 'InternalError', rate: 1, keyContains: '/items/1.ndjson' }]);
    const before = await jobCount();
    const res = await post({ model: 'mdl_safe', items: items('big', 8_100) }, 'specs-fail').expect(503);
    expect(res.body.error.code).toBe('storage_unavailable');
    expect(await jobCount()).toBe(before);
    const id = batchIdFor('acme', 'specs-fail');
    await request(h.app).get(`/v1/batches/${id}`).set('authorization', `Bearer ${key}`).expect(404);
    expect(await h.objects.head(`tenants/acme/batches/${id}/items/0.ndjson`)).toBeUndefined();

    // The client's retry (same key) now succeeds, as one batch.
    h.emulator.setFaults([]);
    const retry = await post({ model: 'mdl_safe', items: items('big', 8_100) }, 'specs-fail').expect(202);
    expect(retry.body.id).toBe(id);
    expect(await jobCount()).toBe(before + Math.ceil(8_100 / 8));
  });
});
