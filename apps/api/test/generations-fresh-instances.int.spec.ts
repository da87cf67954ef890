import request from 'supertest';
import { eventually } from '@dreamqueue/testing';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

// A fresh endpoint of several instances: none has run model_setup, and the call after a bootstrap need
// not reach the instance that was set up.
describe('a fresh multi-instance endpoint (real worker, Redis and emulator)', () => {
  let h: GenerationHarness;
  let key: string;
  beforeAll(async () => {
    h = await startGenerationHarness({ mmeInstances: 4 });
    key = await h.keyFor('acme');
    await h.registerModel('acme', 'mdl_a', [[200, 10, 10]]);
    await h.registerModel('acme', 'mdl_b', [[10, 200, 10]]);
    await h.startWorker();
  });
  afterAll(async () => h.close());

  const auth = (r: request.Test) => r.set('authorization', `Bearer ${key}`);

  it('serves every item and generation, setting each instance up as calls reach it', async () => {
    const items = (model: string) => Array.from({ length: 48 }, (_, i) => ({ prompt: `${model} ${i}` }));
    const batches = await Promise.all(
      ['mdl_a', 'mdl_b'].map(
        async (model) =>
          (
            await auth(request(h.app).post('/v1/batches'))
              .send({ model, items: items(model) })
              .expect(202)
          ).body.id as string,
      ),
    );
    const generations = await Promise.all(
      Array.from(
        { length: 4 },
        async () =>
          (
            await auth(request(h.app).post('/v1/generations'))
              .send({ model: 'mdl_a', prompt: 'a portrait of {trigger}', numImages: 1 })
              .expect(202)
          ).body.id as string,
      ),
    );
    for (const id of batches) {
      const done = await eventually(
        async () => {
          const b = (await auth(request(h.app).get(`/v1/batches/${id}`))).body;
          return b.status === 'completed' ? b : undefined;
        },
        30_000,
        `batch ${id}`,
      );
      expect(done.counts).toEqual({ pending: 0, succeeded: 48, failed: 0, canceled: 0 });
    }
    for (const id of generations) {
      const done = await eventually(
        async () => {
          const g = (await auth(request(h.app).get(`/v1/generations/${id}`))).body;
          return g.status !== 'queued' && g.status !== 'running' ? g : undefined;
        },
        30_000,
        `generation ${id}`,
      );
      expect(done.status).toBe('succeeded');
    }
  }, 90_000);
});
