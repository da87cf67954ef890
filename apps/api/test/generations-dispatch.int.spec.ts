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
});
