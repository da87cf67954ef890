import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type Queue } from 'bullmq';
import sharp from 'sharp';
import request from 'supertest';
import { createQueue, trainQueue, type TrainPayload, type TrainResult } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { EventLog, ModelStore } from '@dreamqueue/records';
import { S3ObjectStore } from '@dreamqueue/storage';
import { freePort, s3ClientFor, startTestEmulator, type TestEmulator } from '@dreamqueue/testing';
import { type createApp } from '../src/app';
import { IdempotencyStore } from '../src/idempotency/idempotency.store';
import { modelRoutes, type ModelRoutesDeps } from '../src/models/models.routes';
import { TenantQuotas } from '../src/quotas/tenant-quotas';
import { startApiHarness, type ApiHarness } from './api-harness';
import { animatedWebp, PDF, photoSet, pixelBombPng, solidPhoto, SVG } from './fixtures/training-photos';

const SMALL_LIMITS = {
  maxFileBytes: 400_000,
  maxTotalBytes: 2_000_000,
  maxFiles: 15,
  maxFields: 8,
  maxFieldBytes: 16 * 1024,
};

describe('POST /v1/models intake (real Redis, emulator S3)', () => {
  let h: ApiHarness;
  let emulator: TestEmulator;
  let s3: S3Client;
  let app: ReturnType<typeof createApp>;
  let deps: ModelRoutesDeps;
  let key: string;
  let photos: Buffer[];
  const train = () => h.queues.find((q) => q.name === trainQueue.name) as Queue<TrainPayload, TrainResult>;

  beforeAll(async () => {
    [h, emulator] = await Promise.all([startApiHarness(), startTestEmulator()]);
    s3 = s3ClientFor(emulator);
    deps = {
      redis: h.redis,
      models: new ModelStore(h.redis, h.keySpace, new EventLog(h.redis, h.keySpace)),
      objects: new S3ObjectStore(s3, emulator.bucket),
      trainQueue: train(),
      logger: createLogger({ name: 'test', level: 'silent' }),
      idempotency: new IdempotencyStore(h.redis, h.keySpace),
      quotas: new TenantQuotas(h.redis, h.keySpace),
      mmePrefix: emulator.mmePrefix,
      uploadLimits: SMALL_LIMITS,
    };
    app = appWith(deps);
    key = await h.keyFor('acme');
    photos = await photoSet(15);
  });
  afterAll(async () => {
    await h.close();
    await emulator.close();
  });

  const appWith = (d: ModelRoutesDeps) => h.appWith({ v1Routers: [modelRoutes(d)] });

  const post = (images: Buffer[], fields: Record<string, string> = { name: 'Ada' }, target = app) => {
    let req = request(target).post('/v1/models').set('authorization', `Bearer ${key}`);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    images.forEach(
      (img, i) => (req = req.attach('images', img, { filename: `photo-${i}.jpg`, contentType: 'image/jpeg' })),
    );
    return req;
  };

  async function tenantObjects(tenant = 'acme'): Promise<string[]> {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: emulator.bucket, Prefix: `tenants/${tenant}/` }));
    return (out.Contents ?? []).map((o) => o.Key!);
  }
  async function expectNothingWritten() {
    expect(await train().getJobCounts('waiting', 'delayed', 'active', 'prioritized')).toEqual({
      waiting: 0,
      delayed: 0,
      active: 0,
      prioritized: 0,
    });
    expect(await tenantObjects()).toEqual([]);
  }

  it.each([9, 0, 16])('I1: %i photos → 400 image_count_out_of_range, nothing written or enqueued', async (count) => {
    const images = count === 16 ? [...photos, await solidPhoto(15)] : photos.slice(0, count);
    const res = await post(images).expect(400);
    expect(res.body.error.code).toBe('image_count_out_of_range');
    await expectNothingWritten();
  });

  it('too few photos: the count error also lists each bad photo, so one answer says everything to fix', async () => {
    const images = [...photos.slice(0, 7), await solidPhoto(3, { size: 100 }), photos[0]!];
    const res = await post(images).expect(400);
    expect(res.body.error.code).toBe('image_count_out_of_range');
    expect(res.body.error.details).toMatchObject({ min: 10, max: 15, received: 9 });
    expect(res.body.error.details.photos).toEqual([
      expect.objectContaining({ index: 7, code: 'image_too_small' }),
      expect.objectContaining({ index: 8, code: 'duplicate_image' }),
    ]);
    await expectNothingWritten();
  });

  it.each([
    ['I4: a PDF sent as image/jpeg', () => PDF, 415, 'unsupported_image_type'],
    ['I6: an SVG', () => SVG, 415, 'unsupported_image_type'],
    ['I5: a 20 000×20 000 PNG header (pixel bomb)', () => pixelBombPng(), 400, 'pixel_limit_exceeded'],
    ['I6: a truncated JPEG', () => photos[3]!.subarray(0, Math.floor(photos[3]!.length / 2)), 400, 'image_undecodable'],
    ['I6: an animated WebP', () => animatedWebp(), 400, 'animated_image'],
    ['a 100×100 photo', () => solidPhoto(3, { size: 100 }), 400, 'image_too_small'],
    ['an exact duplicate', () => photos[0]!, 400, 'duplicate_image'],
  ])('%s → the right 4xx code with a per-image reason, nothing written', async (_label, make, status, code) => {
    const bad = await make();
    const images = [...photos.slice(0, 9), bad];
    const res = await post(images).expect(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.details).toEqual([expect.objectContaining({ index: 9, code, reason: expect.any(String) })]);
    await expectNothingWritten();
  });

  it('I2: a photo over the size limit → 413 image_too_large, answered while streaming; the total is capped too', async () => {
    const big = Buffer.concat([photos[0]!, Buffer.alloc(450_000, 1)]);
    const res = await post([...photos.slice(1, 10), big]).expect(413);
    expect(res.body.error.code).toBe('image_too_large');
    const total = await post(
      Array.from({ length: 12 }, (_, i) => Buffer.concat([photos[i]!, Buffer.alloc(190_000, i)])),
    ).expect(413);
    expect(total.body.error.code).toBe('payload_too_large');
    await expectNothingWritten();
  });

  it('I3: too many fields → 400 too_many_parts; invalid params → 400 invalid_params with field reasons', async () => {
    const fields = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, 'x']));
    expect((await post(photos.slice(0, 10), fields).expect(400)).body.error.code).toBe('too_many_parts');
    const res = await post(photos.slice(0, 10), {
      name: 'Ada',
      params: JSON.stringify({ steps: 5, learningRate: 1, bogus: true }),
    }).expect(400);
    expect(res.body.error.code).toBe('invalid_params');
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(
      ['params', 'params.learningRate', 'params.steps'].sort(),
    );
    await expectNothingWritten();
  });

  it('accepts 10 photos: 202 queued, one train job (jobId = model id), photos re-encoded without EXIF/GPS', async () => {
    const images = [await solidPhoto(0, { exifGps: true }), ...(await photoSet(9, 1)), ...[]];
    expect((await sharp(images[0]!).metadata()).exif).toBeDefined();
    const res = await post(images, {
      name: 'Ada',
      subjectClass: 'woman',
      params: JSON.stringify({ steps: 800 }),
    }).expect(202);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^mdl_/),
      status: 'queued',
      subjectClass: 'woman',
      params: { steps: 800, loraRank: 128, loraAlpha: 128 },
    });
    expect(res.body.triggerPhrase).toBe(`photo of ${res.body.token} woman`);
    const job = await train().getJob(res.body.id);
    expect(job?.data).toEqual({ tenantId: 'acme', modelId: res.body.id, step: 'prepare', checkpoint: {} });
    const stored = await tenantObjects();
    expect(stored).toHaveLength(10);
    const first = await deps.objects.get(stored.find((k) => k.endsWith('/00.jpg'))!);
    const meta = await sharp(first).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.exif).toBeUndefined();
    await train().obliterate({ force: true });
    for (const k of stored) await deps.objects.delete(k);
  });

  it('I10: the same Idempotency-Key and body gives the same model and one job; a different body is 422', async () => {
    const first = await post(photos.slice(0, 10)).set('idempotency-key', 'k-1').expect(202);
    const again = await post(photos.slice(0, 10)).set('idempotency-key', 'k-1').expect(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await post(photos.slice(1, 11)).set('idempotency-key', 'k-1').expect(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(await train().count()).toBe(1);
    await train().obliterate({ force: true });
  });

  it('scopes reads to the tenant, 404s malformed ids, cancels and deletes', async () => {
    const created = (await post(photos.slice(0, 10)).expect(202)).body;
    const auth = (k: string) => ({ authorization: `Bearer ${k}` });
    const other = await h.keyFor('other');
    await request(app).get(`/v1/models/${created.id}`).set(auth(other)).expect(404);
    await request(app).get('/v1/models/..%2Fmdl_x').set(auth(key)).expect(404);
    expect(
      (await request(app).get('/v1/models').set(auth(key)).expect(200)).body.data.map((m: { id: string }) => m.id),
    ).toContain(created.id);
    expect((await request(app).get('/v1/models').set(auth(other)).expect(200)).body.data).toEqual([]);
    await request(app).post(`/v1/models/${created.id}/cancel`).set(auth(other)).expect(404);
    expect((await request(app).post(`/v1/models/${created.id}/cancel`).set(auth(key)).expect(200)).body.status).toBe(
      'canceled',
    );
    expect(
      (await request(app).post(`/v1/models/${created.id}/cancel`).set(auth(key)).expect(409)).body.error.code,
    ).toBe('model_not_cancelable');
    expect((await request(app).delete(`/v1/models/${created.id}`).set(auth(key)).expect(200)).body.status).toBe(
      'deleted',
    );
    expect((await request(app).get(`/v1/models/${created.id}`).set(auth(key)).expect(200)).body.status).toBe('deleted');
    await request(app).delete(`/v1/models/${created.id}`).set(auth(key)).expect(404);
    await train().obliterate({ force: true });
  });

  it('enqueue failure (Redis unreachable for the queue) → 503 redis_unavailable and the model is failed, not left queued', async () => {
    const deadQueue = createQueue(trainQueue, {
      connection: {
        port: await freePort(),
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      },
      prefix: h.keySpace.queuePrefix,
    });
    deadQueue.on('error', () => undefined);
    const broken = appWith({ ...deps, trainQueue: deadQueue as unknown as Queue<TrainPayload, TrainResult> });
    key = await h.keyFor('unqueued');
    const res = await post(photos.slice(0, 10), { name: 'Ada' }, broken).expect(503);
    expect(res.body.error.code).toBe('redis_unavailable');
    const list = await deps.models.list('unqueued', 100);
    const failed = list.items.filter((m) => m.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(list.items.filter((m) => m.status === 'queued')).toHaveLength(0);
    await deadQueue.close();
  });

  it('storage failing midway (the 4th photo) → 503 storage_unavailable and the photos already stored are removed', async () => {
    key = await h.keyFor('midway');
    // Every attempt at photo 03 fails (the SDK's retries included); photos 00–02 are stored before it.
    emulator.setFaults([{ op: 's3:PutObject', error: 'InternalError', rate: 1, keyContains: '/photos/03.jpg' }]);
    try {
      const res = await post(photos.slice(0, 10)).expect(503);
      expect(res.body.error.code).toBe('storage_unavailable');
    } finally {
      emulator.setFaults([]);
    }
    const written = emulator
      .ledger()
      .filter((e) => e.op === 'PutObject' && e.key?.startsWith('tenants/midway/') && e.outcome === 'ok');
    expect(written.length).toBe(3);
    expect(await tenantObjects('midway')).toEqual([]);
    expect((await deps.models.list('midway', 100)).items).toEqual([]);
  });
});
