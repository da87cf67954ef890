import request from 'supertest';
import { eventually } from '@dreamqueue/testing';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

/** Throttling, cold loads and priorities, against the emulator's MME (time compressed 1000×). */
describe('generate under endpoint faults and load', () => {
  let h: GenerationHarness;
  let key: string;
  beforeAll(async () => {
    // Cold loads of 120 emulated seconds exceed the 60 s response limit: the first calls get ModelNotReadyException.
    h = await startGenerationHarness({ coldLoadSeconds: 120 });
    key = await h.keyFor('acme');
    await h.registerModel('acme', 'mdl_main', [[250, 200, 10]]);
    // The worker's own clocks compressed like the emulator's: after the throttling test the adaptive limit
    // probes back up to the endpoint's capacity every 60 emulated seconds, not every 60 real ones (the later
    // tests would otherwise run at the concurrency the injected throttling left).
    await h.startWorker({ GENERATE_COLD_LOAD_BUDGET: '2s', GENERATE_LIMIT_PROBE_INTERVAL: '60ms' });
  });
  afterAll(async () => h.close());

  const post = (body: object, k = key) =>
    request(h.app).post('/v1/generations').set('authorization', `Bearer ${k}`).send(body).expect(202);
  const finished = (id: string, k = key) =>
    eventually(
      async () => {
        const res = await request(h.app).get(`/v1/generations/${id}`).set('authorization', `Bearer ${k}`);
        return ['queued', 'running'].includes(res.body.status) ? undefined : res.body;
      },
      30_000,
      `generation ${id}`,
    );

  it('C3: survives cold loads longer than one call (ModelNotReady is retried without spending attempts)', async () => {
    const res = await post({ model: 'mdl_main', prompt: 'first', numImages: 2 });
    const done = await finished(res.body.id);
    expect(done.status).toBe('succeeded');
    const notReady = h.emulator
      .ledger()
      .filter((e) => e.op === 'InvokeEndpoint' && e.outcome === 'ModelNotReadyException');
    expect(notReady.length).toBeGreaterThan(0);
    expect((await h.finishedJob(res.body.id)).attemptsMade).toBe(1);
  });

  it('C1: 30 % throttling — every generation succeeds and throttling never spends an attempt', async () => {
    h.emulator.setFaults([{ op: 'invoke', error: 'ThrottlingException', rate: 0.3 }]);
    try {
      const ids = [];
      for (let i = 0; i < 40; i++)
        ids.push((await post({ model: 'mdl_main', prompt: `throttled ${i}`, numImages: 2 })).body.id as string);
      const done = await Promise.all(ids.map((id) => finished(id)));
      expect(done.filter((d) => d.status !== 'succeeded')).toEqual([]);
      expect(h.emulator.stats().faultsFired['invoke:ThrottlingException']).toBeGreaterThan(0);
      const jobs = await Promise.all(ids.map((id) => h.finishedJob(id)));
      expect(jobs.map((j) => j.attemptsMade)).toEqual(ids.map(() => 1));
    } finally {
      h.emulator.setFaults([]);
    }
  });

  it('C3: fails clearly once the cold-load budget is spent', async () => {
    await h.registerModel('acme', 'mdl_slowload', [[1, 2, 3]]);
    h.emulator.configure({ coldLoadSeconds: 100_000 });
    try {
      const res = await post({ model: 'mdl_slowload', prompt: 'never loads' });
      const done = await finished(res.body.id);
      expect(done).toMatchObject({
        status: 'failed',
        error: { code: 'model_load_timeout', message: expect.stringContaining('did not finish loading') },
      });
    } finally {
      h.emulator.configure({ coldLoadSeconds: 120 });
    }
  });

  it('priorities: a single generation of another tenant completes while a 2 000-item batch is still draining', async () => {
    const other = await h.keyFor('beta');
    await h.registerModel('beta', 'mdl_solo', [[5, 5, 5]]);
    await post({ model: 'mdl_solo', prompt: 'warm up' }, other).then((r) => finished(r.body.id, other));
    await h.queue.pause();
    const items = Array.from({ length: 2000 }, (_, i) => ({ prompt: `bulk ${i}` }));
    const batch = await request(h.app)
      .post('/v1/batches')
      .set('authorization', `Bearer ${key}`)
      .send({ model: 'mdl_main', items })
      .expect(202);
    const single = await post({ model: 'mdl_solo', prompt: 'me first' }, other);
    await h.queue.resume();
    expect((await finished(single.body.id, other)).status).toBe('succeeded');
    const progress = await request(h.app)
      .get(`/v1/batches/${batch.body.id}`)
      .set('authorization', `Bearer ${key}`)
      .expect(200);
    expect(progress.body.counts.pending).toBeGreaterThan(0);
    const end = await eventually(
      async () => {
        const res = await request(h.app).get(`/v1/batches/${batch.body.id}`).set('authorization', `Bearer ${key}`);
        return res.body.status === 'completed' ? res.body : undefined;
      },
      100_000,
      'the batch',
    );
    expect(end.counts.succeeded).toBe(2000);
    // Draining 2 000 items takes about 20 s on a quiet 2-core machine; the default 30 s leaves no room under load.
  }, 120_000);
});
