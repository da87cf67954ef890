import request from 'supertest';
import { dominantColour, renderImage } from '@dreamqueue/emulator';
import { WebhookSecrets, WebhookTargets } from '@dreamqueue/records';
import { eventually } from '@dreamqueue/testing';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

const PALETTE: [number, number, number][] = [
  [200, 40, 40],
  [30, 160, 60],
];

describe('generations: HTTP → queue → worker → emulator MME → S3', () => {
  let h: GenerationHarness;
  let key: string;
  let model: { targetModel: string; etag: string; artifactId: string };
  beforeAll(async () => {
    h = await startGenerationHarness();
    key = await h.keyFor('acme');
    model = await h.registerModel('acme', 'mdl_avatar', PALETTE);
    await h.startWorker();
  });
  afterAll(async () => h.close());

  const post = (body: object, auth = key) =>
    request(h.app).post('/v1/generations').set('authorization', `Bearer ${auth}`).send(body);
  const get = (id: string, auth = key) =>
    request(h.app).get(`/v1/generations/${id}`).set('authorization', `Bearer ${auth}`);
  const finished = (id: string) =>
    eventually(
      async () => {
        const res = await get(id);
        return ['queued', 'running'].includes(res.body.status) ? undefined : res.body;
      },
      20_000,
      `generation ${id}`,
    );

  it('generates N images with seeds seed…seed+N-1; the pixels prove model, prompt and seed reached the MME', async () => {
    const res = await post({
      model: 'mdl_avatar',
      prompt: 'portrait of {trigger} as an astronaut',
      negativePrompt: 'blurry',
      numImages: 3,
      steps: 25,
      guidance: 6,
      seed: 1000,
    }).expect(202);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^gen_/),
      status: 'queued',
      links: { self: `/v1/generations/${res.body.id}` },
    });
    const done = await finished(res.body.id);
    expect(done.status).toBe('succeeded');
    expect(done.images).toHaveLength(3);
    for (const [i, image] of done.images.entries()) {
      expect(image.reproduction).toEqual({
        model: model.targetModel,
        modelEtag: model.etag,
        prompt: 'portrait of photo of sks person as an astronaut',
        negativePrompt: 'blurry',
        seed: 1000 + i,
        steps: 25,
        guidance: 6,
      });
      expect(Date.parse(image.expiresAt)).toBeGreaterThan(Date.now());
      const bytes = Buffer.from(await (await fetch(image.url)).arrayBuffer());
      // The MME sees S3's quoted ETag.
      const expected = await renderImage({
        palette: PALETTE,
        modelTag: `${model.artifactId}:"${model.etag}"`,
        ...image.reproduction,
      });
      expect(bytes.equals(expected)).toBe(true);
      const [r, g, b] = await dominantColour(bytes);
      expect(Math.abs(r - 200) + Math.abs(g - 40) + Math.abs(b - 40)).toBeLessThan(15);
    }
    const invokes = h.emulator
      .ledger()
      .filter((e) => e.op === 'InvokeEndpoint' && e.targetModel === model.targetModel && e.outcome === 'ok');
    expect(invokes.length).toBeGreaterThanOrEqual(1);
  });

  it('records a random seed when none is given, and prefixes the trigger phrase without a placeholder', async () => {
    const res = await post({ model: 'mdl_avatar', prompt: 'in a forest' }).expect(202);
    const done = await finished(res.body.id);
    expect(done.seed).toEqual(expect.any(Number));
    expect(done.images[0].reproduction).toMatchObject({ seed: done.seed, prompt: 'photo of sks person, in a forest' });
  });

  it('I9: rejects bad input with field errors and enqueues nothing', async () => {
    const before = await h.queue.count();
    const cases = [
      { model: 'mdl_avatar', prompt: 'x', numImages: 9 },
      { model: 'mdl_avatar', prompt: 'x'.repeat(1001) },
      { model: 'mdl_avatar', prompt: 'a\u0007b' },
      { model: 'mdl_avatar', prompt: 'x', steps: 0 },
      { model: 'mdl_avatar', prompt: 'x', guidance: 99 },
      { model: '../b/x', prompt: 'x' },
      { model: 'mdl_avatar', prompt: 'x', webhookUrl: 'http://169.254.169.254/latest' },
      { model: 'mdl_avatar', prompt: 'x', deadline: '2001-01-01T00:00:00Z' },
    ];
    for (const body of cases) {
      const res = await post(body).expect(400);
      expect(res.body.error.code).toMatch(/^invalid_/);
      expect(res.body.error.message.length).toBeGreaterThan(10);
    }
    expect(await h.queue.count()).toBe(before);
  });

  it('takes a per-resource webhook URL only once the tenant has a signing secret it has seen', async () => {
    const tenantKey = await h.keyFor('nosecret');
    await h.registerModel('nosecret', 'mdl_hooked', PALETTE);
    const webhookUrl = 'https://hooks.example.com/dreamqueue';
    const before = await h.queue.count();
    const refused = await post({ model: 'mdl_hooked', prompt: 'x', webhookUrl }, tenantKey).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'webhook_secret_required' });
    expect(refused.body.error.message).toContain('/v1/webhooks/secrets/rotate');
    const batch = await request(h.app)
      .post('/v1/batches')
      .set('authorization', `Bearer ${tenantKey}`)
      .send({ model: 'mdl_hooked', items: [{ prompt: 'x' }], webhookUrl })
      .expect(409);
    expect(batch.body.error.code).toBe('webhook_secret_required');
    expect(await h.queue.count()).toBe(before);
    expect(await new WebhookSecrets(h.redis, h.keySpace).exists('nosecret')).toBe(false);

    // The tenant creates its secret (shown once, as POST /v1/webhooks/secrets/rotate does); then it is accepted.
    await new WebhookSecrets(h.redis, h.keySpace).rotate('nosecret');
    const accepted = await post({ model: 'mdl_hooked', prompt: 'x', webhookUrl }, tenantKey).expect(202);
    expect(await new WebhookTargets(h.redis, h.keySpace).resolve('nosecret', accepted.body.id)).toBe(webhookUrl);
  });

  it('answers 404 for an unknown model and 409 model_not_ready for one still training', async () => {
    await post({ model: 'mdl_nothere', prompt: 'x' }).expect(404);
    await h.redis.set(
      h.keySpace.key('model', 'acme', 'mdl_training'),
      JSON.stringify({ id: 'mdl_training', status: 'training' }),
    );
    const res = await post({ model: 'mdl_training', prompt: 'x' }).expect(409);
    expect(res.body.error.code).toBe('model_not_ready');
  });

  it('keeps tenants apart: another tenant cannot read, cancel or generate from acme’s resources (404)', async () => {
    const other = await h.keyFor('other');
    const res = await post({ model: 'mdl_avatar', prompt: 'x' }).expect(202);
    await finished(res.body.id);
    await get(res.body.id, other).expect(404);
    await request(h.app)
      .post(`/v1/generations/${res.body.id}/cancel`)
      .set('authorization', `Bearer ${other}`)
      .expect(404);
    await post({ model: 'mdl_avatar', prompt: 'x' }, other).expect(404);
    expect((await get(res.body.id)).body.images[0].url).toContain(`tenants/acme/generations/${res.body.id}/`);
  });

  it('replays an Idempotency-Key with the same generation (I10)', async () => {
    const body = { model: 'mdl_avatar', prompt: 'same', seed: 7 };
    const a = await post(body).set('idempotency-key', 'k-1').expect(202);
    const b = await post(body).set('idempotency-key', 'k-1').expect(202);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers['idempotent-replayed']).toBe('true');
    await post({ ...body, seed: 8 })
      .set('idempotency-key', 'k-1')
      .expect(422);
  });

  it('C4: a 4xx ModelError fails at once with a readable reason (attempts = 1)', async () => {
    const bad = await h.registerModel('acme', 'mdl_broken', PALETTE);
    h.emulator.setFaults([
      { op: 'invoke', error: 'ModelError', originalStatusCode: 400, rate: 1, targetModel: bad.targetModel },
    ]);
    try {
      const res = await post({ model: 'mdl_broken', prompt: 'x' }).expect(202);
      const done = await finished(res.body.id);
      expect(done.status).toBe('failed');
      expect(done.error).toMatchObject({ code: 'model_error', message: expect.stringContaining('400') });
      const job = await h.finishedJob(res.body.id);
      expect(job.attemptsMade).toBe(1);
      expect(await job.getState()).toBe('failed');
    } finally {
      h.emulator.setFaults([]);
    }
  });

  it('cancels a queued generation: the job is removed and nothing is generated', async () => {
    await h.queue.pause();
    try {
      const res = await post({ model: 'mdl_avatar', prompt: 'x' }).expect(202);
      const canceled = await request(h.app)
        .post(`/v1/generations/${res.body.id}/cancel`)
        .set('authorization', `Bearer ${key}`)
        .expect(200);
      expect(canceled.body.status).toBe('canceled');
      expect(await h.queue.getJob(res.body.id)).toBeUndefined();
      const again = await request(h.app)
        .post(`/v1/generations/${res.body.id}/cancel`)
        .set('authorization', `Bearer ${key}`)
        .expect(409);
      expect(again.body.error.code).toBe('generation_finished');
    } finally {
      await h.queue.resume();
    }
  });

  it('cancels a running generation: its result is discarded and no image stays in S3', async () => {
    h.emulator.setFaults([{ op: 'invoke', latencyMs: 400_000, rate: 1, count: 1, targetModel: model.targetModel }]);
    try {
      const res = await post({ model: 'mdl_avatar', prompt: 'slow', numImages: 2 }).expect(202);
      await eventually(async () => ((await get(res.body.id)).body.status === 'running' ? true : undefined), 15_000);
      await request(h.app)
        .post(`/v1/generations/${res.body.id}/cancel`)
        .set('authorization', `Bearer ${key}`)
        .expect(200);
      const job = (await h.queue.getJob(res.body.id))!;
      await eventually(async () => ((await job.getState()) === 'completed' ? true : undefined), 15_000);
      expect((await get(res.body.id)).body).toMatchObject({ status: 'canceled' });
      expect(await h.objects.head(`tenants/acme/generations/${res.body.id}/0.jpg`)).toBeUndefined();
    } finally {
      h.emulator.setFaults([]);
    }
  });

  it('turns a generation whose deadline passed while queued into expired', async () => {
    await h.queue.pause();
    const deadline = new Date(Date.now() + 300).toISOString();
    const res = await post({ model: 'mdl_avatar', prompt: 'late', deadline }).expect(202);
    await new Promise((r) => setTimeout(r, 350)); // the deadline itself is the condition under test
    await h.queue.resume();
    const done = await finished(res.body.id);
    expect(done).toMatchObject({ status: 'expired', error: { code: 'deadline_exceeded' } });
  });
});
