import request from 'supertest';
import { eventually } from '@dreamqueue/testing';
import { quotaTenants, type QuotaTenant as Tenant } from './fixtures/quota-tenants';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

describe('quotas on generations: checked inside the intake script (real Redis, emulator, real worker)', () => {
  let h: GenerationHarness;
  const tenants = quotaTenants(() => h, 'gens');
  const { as, quotas } = tenants;
  const tenant = tenants.create;
  beforeAll(async () => {
    h = await startGenerationHarness();
  });
  afterAll(async () => h.close());
  afterEach(async () => h.stopWorker());

  const generate = (t: Tenant, numImages: number) =>
    as(t, request(h.app).post('/v1/generations')).send({ model: 'mdl_q', prompt: '{trigger} at sea', numImages });
  /** The tenant's generation records and generate jobs. */
  async function accepted(t: Tenant) {
    const records = (await h.redis.keys(`${h.keySpace.key('generation', t.id)}:gen_*`)).map((k) => k.split(':').pop()!);
    const jobs = await h.queue.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed']);
    return {
      records: records.sort(),
      jobs: jobs
        .filter((j) => j.data.tenantId === t.id)
        .map((j) => j.id!)
        .sort(),
    };
  }
  const finished = (t: Tenant, id: string) =>
    eventually(
      async () => {
        const res = await as(t, request(h.app).get(`/v1/generations/${id}`));
        return ['queued', 'running'].includes(res.body.status) ? undefined : res.body;
      },
      20_000,
      `generation ${id}`,
    );

  it('over queuedItems: 429 with Retry-After and nothing written; the real worker finishing the images gives the room back', async () => {
    const t = await tenant({ queuedItems: 4 });
    const first = (await generate(t, 4).expect(202)).body.id as string;
    const refused = await generate(t, 1).expect(429);
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.body.error).toMatchObject({
      code: 'queued_items_quota_exceeded',
      details: { quota: 'queuedItems', limit: 4, usage: 4, requested: 1 },
    });
    expect(await accepted(t)).toEqual({ records: [first], jobs: [first] });

    await h.startWorker();
    expect((await finished(t, first)).status).toBe('succeeded');
    expect((await quotas(t)).queuedItems.usage).toBe(0);
    await generate(t, 4).expect(202);
  });

  it('concurrent generations never overshoot: of 8 asking 2 images each under a limit of 10, exactly 5 are accepted', async () => {
    const t = await tenant({ queuedItems: 10 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => generate(t, 2)));
    const ids = answers
      .filter((r) => r.status === 202)
      .map((r) => r.body.id as string)
      .sort();
    expect(ids).toHaveLength(5);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(3);
    expect(await accepted(t)).toEqual({ records: ids, jobs: ids });
    expect((await quotas(t)).queuedItems.usage).toBe(10);
  });

  it('a canceled generation gives its images back at once; batches and generations share the count', async () => {
    const t = await tenant({ queuedItems: 10 });
    const id = (await generate(t, 6).expect(202)).body.id as string;
    await as(t, request(h.app).post('/v1/batches'))
      .send({ model: 'mdl_q', items: [{ prompt: 'a' }, { prompt: 'b' }, { prompt: 'c' }, { prompt: 'd' }] })
      .expect(202);
    expect((await generate(t, 1).expect(429)).body.error.details.usage).toBe(10);
    await as(t, request(h.app).post(`/v1/generations/${id}/cancel`)).expect(200);
    expect((await quotas(t)).queuedItems.usage).toBe(4);
    await generate(t, 6).expect(202);
  });

  it('imagesPerMinute: 429 once the last 60 s hold the limit, with Retry-After when the window frees room; larger than the limit is 422', async () => {
    const t = await tenant({ imagesPerMinute: 6 });
    for (let i = 0; i < 3; i++) await generate(t, 2).expect(202);
    const refused = await generate(t, 2).expect(429);
    expect(refused.body.error).toMatchObject({
      code: 'images_per_minute_quota_exceeded',
      details: { quota: 'imagesPerMinute', limit: 6, usage: 6, requested: 2 },
    });
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect((await accepted(t)).records).toHaveLength(3);
    expect((await quotas(t)).imagesPerMinute).toEqual({ limit: 6, source: 'tenant', usage: 6 });
    const tooBig = await generate(t, 7).expect(422);
    expect(tooBig.body.error).toMatchObject({ code: 'request_exceeds_quota', details: { limit: 6, requested: 7 } });
  });
});
