import request from 'supertest';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

/** Where a generation's `modelEtag` comes from: the model record, or (older records) one S3 HEAD per process. */
describe('generations pin the model artifact ETag (real Redis, emulator S3)', () => {
  let h: GenerationHarness;
  let key: string;
  beforeAll(async () => {
    h = await startGenerationHarness();
    key = await h.keyFor('acme');
  });
  afterAll(async () => h.close());

  const heads = () => h.emulator.stats().s3Requests.HeadObject ?? 0;
  const create = async (model: string) => {
    const res = await request(h.app)
      .post('/v1/generations')
      .set('authorization', `Bearer ${key}`)
      .send({ model, prompt: '{trigger} at sea' })
      .expect(202);
    return h.redis.hget(h.keySpace.key('generation', 'acme', res.body.id), 'artifactEtag');
  };

  it('uses the ETag the train register step recorded on the model, without asking S3', async () => {
    await h.registerModel('acme', 'mdl_recorded', [[10, 10, 10]]);
    const modelKey = h.keySpace.key('model', 'acme', 'mdl_recorded');
    const record = JSON.parse((await h.redis.get(modelKey))!) as Record<string, unknown>;
    await h.redis.set(modelKey, JSON.stringify({ ...record, artifactEtag: '"recorded-at-register"' }));
    const before = heads();
    expect(await create('mdl_recorded')).toBe('"recorded-at-register"');
    expect(await create('mdl_recorded')).toBe('"recorded-at-register"');
    expect(heads()).toBe(before);
  });

  it('falls back to one HEAD of the artifact for a model recorded without an ETag, then remembers it', async () => {
    const { etag } = await h.registerModel('acme', 'mdl_legacy', [[20, 20, 20]]);
    const before = heads();
    expect(await create('mdl_legacy')).toBe(etag);
    expect(await create('mdl_legacy')).toBe(etag);
    expect(heads()).toBe(before + 1);
  });

  it('refuses a ready model whose artifact is gone (409 model_not_ready), nothing queued', async () => {
    const { targetModel } = await h.registerModel('acme', 'mdl_gone', [[30, 30, 30]]);
    await h.objects.delete(`${h.emulator.mmePrefix}${targetModel}`);
    const waiting = await h.queue.count();
    const res = await request(h.app)
      .post('/v1/generations')
      .set('authorization', `Bearer ${key}`)
      .send({ model: 'mdl_gone', prompt: 'x' })
      .expect(409);
    expect(res.body.error).toMatchObject({ code: 'model_not_ready', details: { status: 'artifact_missing' } });
    expect(await h.queue.count()).toBe(waiting);
  });
});
