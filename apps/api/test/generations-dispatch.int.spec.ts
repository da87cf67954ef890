import request from 'supertest';
import { eventually } from '@dreamqueue/testing';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

describe('model-aware dispatch (real Redis, BullMQ and emulator)', () => {
  let h: GenerationHarness;
  let key: string;
  beforeAll(async () => {
    h = await startGenerationHarness();
    key = await h.keyFor('acme');
    await h.registerModel('acme', 'mdl_one', [[200, 10, 10]]);
    await h.registerModel('acme', 'mdl_two', [[10, 200, 10]]);
  });
  afterAll(async () => h.close());

  const auth = (r: request.Test) => r.set('authorization', `Bearer ${key}`);
  const batch = async (model: string, n: number) =>
    (
      await auth(request(h.app).post('/v1/batches'))
        .send({ model, items: Array.from({ length: n }, (_, i) => ({ prompt: `${model} ${i}` })) })
        .expect(202)
    ).body.id as string;
  const counts = async (id: string) => (await auth(request(h.app).get(`/v1/batches/${id}`))).body;

  it('a worker killed mid-batch loses nothing: another worker finishes every item exactly once', async () => {
    const worker = await h.startWorker();
    const ids = [await batch('mdl_one', 160), await batch('mdl_two', 160)];
    await eventually(async () => ((await counts(ids[0]!)).counts.succeeded > 0 ? true : undefined), 30_000, 'progress');
    // No graceful stop: the running jobs keep their locks until they stall; parked ones stay delayed.
    await worker.close(true);
    await h.stopWorker();
    expect((await counts(ids[0]!)).status).not.toBe('completed');
    await h.startWorker();
    for (const id of ids) {
      const done = await eventually(
        async () => {
          const b = await counts(id);
          return b.status === 'completed' ? b : undefined;
        },
        60_000,
        `batch ${id}`,
      );
      expect(done.counts).toEqual({ pending: 0, succeeded: 160, failed: 0, canceled: 0 });
    }
  }, 120_000);

  it('a batch that fails for good after a cold-load timeout leaves nothing in the dispatcher', async () => {
    await h.stopWorker();
    await h.registerModel('acme', 'mdl_slow', [[9, 9, 9]]);
    // The model never loads within the budget: every invocation answers ModelNotReadyException.
    h.emulator.configure({ coldLoadSeconds: 100_000 });
    try {
      await h.startWorker({ GENERATE_COLD_LOAD_BUDGET: '300ms' });
      const id = await batch('mdl_slow', 16);
      const done = await eventually(
        async () => {
          const b = await counts(id);
          return b.counts.pending === 0 ? b : undefined;
        },
        30_000,
        'the batch to fail',
      );
      expect(done.counts).toEqual({ pending: 0, succeeded: 0, failed: 16, canceled: 0 });
      // Neither job is tracked any more (no entry left to be promoted again and again).
      const key = (name: string) => h.keySpace.key('dispatch', name);
      expect(await h.redis.hgetall(key('jobs'))).toEqual({});
      expect(await h.redis.zcard(key('released'))).toBe(0);
      expect(await h.redis.zcard(key('inflight'))).toBe(0);
    } finally {
      h.emulator.configure({ coldLoadSeconds: 5 });
    }
  }, 60_000);
});
