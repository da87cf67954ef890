import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type Queue } from 'bullmq';
import request from 'supertest';
import { trainQueue, type TrainPayload, type TrainResult } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { EventLog, ModelStore } from '@dreamqueue/records';
import { S3ObjectStore } from '@dreamqueue/storage';
import { s3ClientFor, startTestEmulator, type TestEmulator } from '@dreamqueue/testing';
import { type createApp } from '../src/app';
import { IdempotencyStore } from '../src/idempotency/idempotency.store';
import { modelRoutes } from '../src/models/models.routes';
import { TenantQuotas } from '../src/quotas/tenant-quotas';
import { startApiHarness, type ApiHarness } from './api-harness';
import { photoSet } from './fixtures/training-photos';

describe('quotas: concurrent trainings per tenant, checked with the model’s creation (real Redis, emulator S3)', () => {
  let h: ApiHarness;
  let emulator: TestEmulator;
  let s3: S3Client;
  let app: ReturnType<typeof createApp>;
  /** The same routes without the early check: every request reaches the atomic one in the create script. */
  let uncheckedApp: ReturnType<typeof createApp>;
  let models: ModelStore;
  let quotas: TenantQuotas;
  let photos: Buffer[];
  const train = () => h.queues.find((q) => q.name === trainQueue.name) as Queue<TrainPayload, TrainResult>;
  let tenantCount = 0;

  beforeAll(async () => {
    [h, emulator] = await Promise.all([startApiHarness(), startTestEmulator()]);
    s3 = s3ClientFor(emulator);
    models = new ModelStore(h.redis, h.keySpace, new EventLog(h.redis, h.keySpace));
    quotas = new TenantQuotas(h.redis, h.keySpace);
    const deps = {
      redis: h.redis,
      models,
      objects: new S3ObjectStore(s3, emulator.bucket),
      trainQueue: train(),
      logger: createLogger({ name: 'test', level: 'silent' }),
      idempotency: new IdempotencyStore(h.redis, h.keySpace),
      quotas,
      mmePrefix: emulator.mmePrefix,
    };
    app = h.appWith({ v1Routers: [modelRoutes(deps)] });
    uncheckedApp = h.appWith({ v1Routers: [modelRoutes({ ...deps, quotas: { precheck: async () => undefined } })] });
    photos = await photoSet(10);
  });
  afterAll(async () => {
    await h.close();
    await emulator.close();
  });

  /** A fresh tenant per test, with its own key and limit. */
  async function tenant(concurrentTrainings: number) {
    const id = `train-${++tenantCount}`;
    await quotas.set(id, { concurrentTrainings });
    return { id, key: await h.keyFor(id) };
  }
  const post = (key: string, idempotencyKey?: string, target = app) => {
    let req = request(target).post('/v1/models').set('authorization', `Bearer ${key}`).field('name', 'Ada');
    if (idempotencyKey) req = req.set('idempotency-key', idempotencyKey);
    for (const [i, img] of photos.entries())
      req = req.attach('images', img, { filename: `p${i}.jpg`, contentType: 'image/jpeg' });
    return req;
  };
  const photoPrefixes = async (tenantId: string) => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: emulator.bucket, Prefix: `tenants/${tenantId}/` }));
    return [...new Set((out.Contents ?? []).map((o) => o.Key!.split('/').slice(0, 4).join('/')))];
  };
  const listed = async (tenantId: string) => (await models.list(tenantId, 100)).items.map((m) => m.id).sort();
  const trainJobsOf = async (tenantId: string) =>
    (await train().getJobs(['waiting', 'delayed', 'active', 'prioritized'])).filter(
      (j) => j.data.tenantId === tenantId,
    );

  it('over the limit: 429 concurrent_trainings_quota_exceeded with Retry-After, and no record, job or photo', async () => {
    const t = await tenant(1);
    const first = await post(t.key).expect(202);
    const refused = await post(t.key).expect(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.body.error).toEqual({
      code: 'concurrent_trainings_quota_exceeded',
      message: expect.stringMatching(/1 concurrent trainings.*1 running/),
      details: { quota: 'concurrentTrainings', limit: 1, usage: 1, requested: 1, retryAfterSeconds: 60 },
    });
    expect(await listed(t.id)).toEqual([first.body.id]);
    expect((await trainJobsOf(t.id)).map((j) => j.id)).toEqual([first.body.id]);
    expect(await photoPrefixes(t.id)).toEqual([`tenants/${t.id}/models/${first.body.id}`]);
  });

  it.each([
    ['with', () => app],
    ['without', () => uncheckedApp],
  ])(
    'concurrent creates never overshoot (%s the early check): of 5 at once under a limit of 2, exactly 2 are accepted and the others leave nothing',
    async (_label, target) => {
      const t = await tenant(2);
      const answers = await Promise.all(Array.from({ length: 5 }, () => post(t.key, undefined, target())));
      const accepted = answers.filter((r) => r.status === 202).map((r) => r.body.id as string);
      expect(accepted).toHaveLength(2);
      expect(answers.filter((r) => r.status === 429)).toHaveLength(3);
      expect(await listed(t.id)).toEqual(accepted.sort());
      expect((await trainJobsOf(t.id)).map((j) => j.id).sort()).toEqual(accepted);
      expect((await photoPrefixes(t.id)).sort()).toEqual(accepted.map((id) => `tenants/${t.id}/models/${id}`));
      expect((await quotas.view(t.id)).concurrentTrainings.usage).toBe(2);
    },
  );

  it('a training that ends gives its slot back exactly once; a revived one takes it again', async () => {
    const t = await tenant(1);
    const id = (await post(t.key).expect(202)).body.id as string;
    await models.transition(t.id, id, 'preparing');
    expect((await quotas.view(t.id)).concurrentTrainings.usage).toBe(1);
    await models.transition(t.id, id, 'failed', { failureReason: 'test' });
    await models.transition(t.id, id, 'failed', { failureReason: 'again' });
    expect((await quotas.view(t.id)).concurrentTrainings.usage).toBe(0);
    // An operator retry revives a failed training: it counts again while it runs.
    await models.transition(t.id, id, 'training');
    expect((await quotas.view(t.id)).concurrentTrainings.usage).toBe(1);
    await post(t.key).expect(429);
    await models.transition(t.id, id, 'ready');
    await models.transition(t.id, id, 'deleted');
    expect((await quotas.view(t.id)).concurrentTrainings.usage).toBe(0);
    await post(t.key).expect(202);
  });

  it('a retried request that was accepted gets its stored answer, not a 429', async () => {
    const t = await tenant(1);
    const first = await post(t.key, 'create-ada').expect(202);
    const again = await post(t.key, 'create-ada').expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect((await post(t.key, 'create-bob').expect(429)).body.error.code).toBe('concurrent_trainings_quota_exceeded');
  });

  it('a limit of 0 → 422 request_exceeds_quota (waiting never helps), nothing written', async () => {
    const t = await tenant(0);
    const res = await post(t.key).expect(422);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.body.error).toMatchObject({
      code: 'request_exceeds_quota',
      details: { quota: 'concurrentTrainings', limit: 0, usage: 0, requested: 1 },
    });
    expect(await listed(t.id)).toEqual([]);
    expect(await photoPrefixes(t.id)).toEqual([]);
  });
});
