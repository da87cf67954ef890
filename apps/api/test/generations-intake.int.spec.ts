import request from 'supertest';
import { activeIndexKey, ModelDemand } from '@dreamqueue/records';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

/**
 * `POST /v1/generations` builds its record from the model as this API process last saw it ready; the intake
 * script re-checks the stored model in the same step as the write. No worker runs here: jobs stay queued.
 */
describe('generation intake against a model that changes (real Redis, BullMQ and emulator)', () => {
  let h: GenerationHarness;
  let key: string;
  let targetModel: string;
  beforeAll(async () => {
    h = await startGenerationHarness();
    key = await h.keyFor('acme');
    ({ targetModel } = await h.registerModel('acme', 'mdl_live', [[20, 30, 40]], 'photo of sks person'));
  });
  afterAll(async () => h.close());

  const post = (body: object) =>
    request(h.app).post('/v1/generations').set('authorization', `Bearer ${key}`).send(body);
  const storedModel = async () => JSON.parse((await h.redis.get(h.keySpace.key('model', 'acme', 'mdl_live')))!);
  const setModel = async (fields: Record<string, unknown>) =>
    h.redis.set(h.keySpace.key('model', 'acme', 'mdl_live'), JSON.stringify({ ...(await storedModel()), ...fields }));
  const pending = async () => (await new ModelDemand(h.redis, h.keySpace).pending([targetModel]))[0];
  const state = async () => ({
    jobs: await h.queue.count(),
    active: await h.redis.zcard(activeIndexKey(h.keySpace, 'generation')),
    events: await h.redis.xlen(h.keySpace.key('events', 'acme')),
    pending: await pending(),
  });

  it('uses the model as stored when it changed since this process last read it', async () => {
    const first = await post({ model: 'mdl_live', prompt: 'in Paris' }).expect(202);
    expect(first.body.prompt).toBe('photo of sks person, in Paris');
    await setModel({ triggerPhrase: 'photo of zwx person' });
    const second = await post({ model: 'mdl_live', prompt: 'in Rome' }).expect(202);
    expect(second.body.prompt).toBe('photo of zwx person, in Rome');
  });

  it('answers 202 with the Location and JSON headers of a create, no ETag, the same again for a replay', async () => {
    const send = () => post({ model: 'mdl_live', prompt: 'headers' }).set('idempotency-key', 'intake-headers-1');
    const first = await send().expect(202);
    expect(first.headers).toMatchObject({
      location: `/v1/generations/${first.body.id}`,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(first.text)),
    });
    expect(first.headers.etag).toBeUndefined();
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await send().expect(202);
    expect(again.text).toBe(first.text);
    expect(again.headers).toMatchObject({ location: first.headers.location, 'idempotent-replayed': 'true' });
    expect(again.headers.etag).toBeUndefined();
  });

  it('tells each queued generation its position, as the queue itself ranks the job', async () => {
    const first = (await post({ model: 'mdl_live', prompt: 'one' }).expect(202)).body;
    const second = (await post({ model: 'mdl_live', prompt: 'two' }).expect(202)).body;
    expect(first.queuePosition).toBeGreaterThanOrEqual(1);
    expect(second.queuePosition).toBe(first.queuePosition + 1);
    const read = await request(h.app).get(`/v1/generations/${second.id}`).set('authorization', `Bearer ${key}`);
    expect(read.body.queuePosition).toBe(second.queuePosition);
  });

  it('answers 404 for a model deleted since, 409 for one no longer ready, writing nothing either way', async () => {
    await post({ model: 'mdl_live', prompt: 'warm' }).expect(202);
    const before = await state();
    await setModel({ status: 'deleted' });
    expect((await post({ model: 'mdl_live', prompt: 'gone' }).expect(404)).body.error.code).toBe('not_found');
    await setModel({ status: 'training' });
    expect((await post({ model: 'mdl_live', prompt: 'busy' }).expect(409)).body.error.code).toBe('model_not_ready');
    expect(await state()).toEqual(before);
    await setModel({ status: 'ready' });
    await post({ model: 'mdl_live', prompt: 'back' }).expect(202);
  });

  it('writes neither the record nor its job when the job cannot be added: 500, nothing to undo', async () => {
    const before = await state();
    // BullMQ's add increments the queue's id counter first: a non-integer there makes the intake script fail
    // at that first write, before anything else is written.
    const idKey = `${h.queue.qualifiedName}:id`;
    const counter = await h.redis.get(idKey);
    await h.redis.set(idKey, 'not-a-number');
    try {
      await post({ model: 'mdl_live', prompt: 'refused' }).expect(500);
    } finally {
      await h.redis.set(idKey, counter ?? '0');
    }
    expect(await state()).toEqual(before);
  });

  it('adds a job the queue reads as its own: name, data, priority and the default options', async () => {
    const created = (await post({ model: 'mdl_live', prompt: 'as BullMQ', numImages: 2, seed: 7 }).expect(202)).body;
    const job = (await h.queue.getJob(created.id))!;
    expect(await job.getState()).toBe('prioritized');
    expect({ name: job.name, priority: job.priority, attempts: job.opts.attempts, jobId: job.opts.jobId }).toEqual({
      name: 'generate',
      priority: 1,
      attempts: 6,
      jobId: created.id,
    });
    expect(job.data).toEqual({
      tenantId: 'acme',
      modelId: 'mdl_live',
      generationId: created.id,
      items: [0, 1].map((index) => ({ index, prompt: created.prompt, negativePrompt: '', seed: 7 + index })),
      steps: created.steps,
      guidance: created.guidance,
    });
  });
});
