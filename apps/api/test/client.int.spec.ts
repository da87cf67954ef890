import { once } from 'node:events';
import { type Server } from 'node:http';
import { DreamqueueApiError, DreamqueueClient } from '@dreamqueue/client';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

describe('@dreamqueue/client against the real API (real Redis, worker, emulator)', () => {
  let h: GenerationHarness;
  let server: Server;
  let client: DreamqueueClient;

  beforeAll(async () => {
    h = await startGenerationHarness();
    await h.startWorker();
    server = h.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    client = new DreamqueueClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: await h.keyFor('acme') });
    await h.registerModel('acme', 'mdl_client', [[200, 40, 40]]);
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await h.close();
  });

  it('creates a generation, waits for it and downloads its images', async () => {
    const created = await client.createGeneration({ model: 'mdl_client', prompt: 'a portrait', numImages: 2, seed: 7 });
    const done = await client.waitForGeneration(created.id, { intervalMs: 50, timeoutMs: 20_000 });
    expect(done.status).toBe('succeeded');
    expect(done.images).toHaveLength(2);
    const image = await fetch(done.images![0]!.url);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
  });

  it('replays a create with the same Idempotency-Key instead of creating twice', async () => {
    const first = await client.createGeneration({ model: 'mdl_client', prompt: 'same', seed: 1 }, 'client-key-1');
    const second = await client.createGeneration({ model: 'mdl_client', prompt: 'same', seed: 1 }, 'client-key-1');
    expect(second.id).toBe(first.id);
  });

  it('streams a batch as NDJSON and reads its results', async () => {
    async function* items() {
      for (let i = 0; i < 20; i++) yield { prompt: `character ${i}`, seed: i };
    }
    const batch = await client.createBatch({ model: 'mdl_client', items: items(), defaults: { steps: 10 } });
    expect(batch.total).toBe(20);
    let current = batch;
    const deadline = Date.now() + 30_000;
    while (current.status !== 'completed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      current = await client.getBatch(batch.id);
    }
    expect(current.status).toBe('completed');
    const results = [];
    for await (const line of client.batchResults(batch.id)) results.push(line);
    expect(results).toHaveLength(20);
    expect(results.every((r) => r.status === 'succeeded')).toBe(true);
  });

  it('sends a streamed batch once (its items are read once) and raises the API error, not a stream error', async () => {
    h.emulator.setFaults([{ op: 's3:PutObject', error: 'InternalError', rate: 1, keyContains: '/items/0.ndjson' }]);
    try {
      async function* items() {
        yield { prompt: 'read once' };
      }
      const error = await client.createBatch({ model: 'mdl_client', items: items() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DreamqueueApiError);
      expect(error).toMatchObject({ status: 503, code: 'storage_unavailable' });
    } finally {
      h.emulator.setFaults([]);
    }
  });

  it('raises the API error code for bad input, without retrying it', async () => {
    const error = await client.createGeneration({ model: 'mdl_client', prompt: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DreamqueueApiError);
    expect((error as DreamqueueApiError).status).toBe(400);
    expect((error as DreamqueueApiError).code).toMatch(/^invalid_/);
  });

  it('answers 404 for another tenant’s generation', async () => {
    const other = new DreamqueueClient({
      baseUrl: (client as unknown as { baseUrl: string }).baseUrl,
      apiKey: await h.keyFor('other'),
    });
    const mine = await client.createGeneration({ model: 'mdl_client', prompt: 'private' });
    await expect(other.getGeneration(mine.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});
