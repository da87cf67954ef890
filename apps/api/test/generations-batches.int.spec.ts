import request from 'supertest';
import { eventually } from '@dreamqueue/testing';
import { readZip } from './fixtures/read-zip';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

describe('batches: JSON and NDJSON intake, partial failures, retry-failed, results, cancel', () => {
  let h: GenerationHarness;
  let key: string;
  let targetModel: string;
  beforeAll(async () => {
    h = await startGenerationHarness();
    key = await h.keyFor('acme');
    targetModel = (await h.registerModel('acme', 'mdl_batch', [[10, 20, 200]])).targetModel;
    await h.startWorker();
  });
  afterAll(async () => h.close());

  const auth = (r: request.Test, k = key) => r.set('authorization', `Bearer ${k}`);
  const getBatch = (id: string) => auth(request(h.app).get(`/v1/batches/${id}`));
  const ended = (id: string) =>
    eventually(
      async () => {
        const res = await getBatch(id);
        return res.body.status === 'completed' || res.body.status === 'canceled' ? res.body : undefined;
      },
      30_000,
      `batch ${id}`,
    );
  const results = async (id: string) => {
    const res = await auth(request(h.app).get(`/v1/batches/${id}/results`))
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => cb(null, text));
      });
    expect(res.status).toBe(200);
    return (res.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  };

  it('splits a JSON batch into ≤ 8-item jobs with deterministic ids, records partial 4xx failures per item, and retry-failed re-runs only those', async () => {
    h.emulator.setFaults([
      { op: 'invoke', error: 'ModelError', originalStatusCode: 400, rate: 1, count: 2, targetModel },
    ]);
    const items = Array.from({ length: 40 }, (_, i) => ({ prompt: `item ${i}`, ...(i === 3 && { seed: 99 }) }));
    const res = await auth(request(h.app).post('/v1/batches'))
      .send({ model: 'mdl_batch', items, defaults: { steps: 10, guidance: 5 } })
      .expect(202);
    const id = res.body.id as string;
    expect(res.body).toMatchObject({ status: expect.stringMatching(/queued|running/), total: 40 });
    expect(await h.queue.getJob(`${id}-4`)).toBeDefined();

    const first = await ended(id);
    expect(first.counts).toEqual({ pending: 0, succeeded: 24, failed: 16, canceled: 0 });
    const lines = await results(id);
    expect(lines).toHaveLength(40);
    expect(lines.filter((l) => l.status === 'failed').every((l) => l.error.code === 'model_error' && !l.url)).toBe(
      true,
    );
    const ok = lines.find((l) => l.status === 'succeeded')!;
    expect(ok.url).toMatch(new RegExp(`tenants/acme/batches/${id}/images/${ok.index}\\.jpg`));
    expect((await fetch(ok.url)).status).toBe(200);
    expect(lines[3].seed).toBe(99);
    expect(await h.objects.head(`tenants/acme/batches/${id}/manifest.ndjson`)).toBeDefined();

    h.emulator.setFaults([]);
    const invokesBefore = h.emulator.stats().modelInvocations[targetModel] ?? 0;
    const retry = await auth(request(h.app).post(`/v1/batches/${id}/retry-failed`)).expect(202);
    expect(retry.body.retried).toBe(16);
    const second = await ended(id);
    expect(second.counts).toEqual({ pending: 0, succeeded: 40, failed: 0, canceled: 0 });
    expect((h.emulator.stats().modelInvocations[targetModel] ?? 0) - invokesBefore).toBe(2);
    const again = await results(id);
    expect(again.every((l) => l.status === 'succeeded' && l.url)).toBe(true);
    expect(again[3].seed).toBe(99);
  });

  it('accepts an NDJSON stream (header line, then one item per line)', async () => {
    const lines = [
      JSON.stringify({ model: 'mdl_batch', defaults: { negativePrompt: 'low quality' } }),
      ...Array.from({ length: 9 }, (_, i) => JSON.stringify({ prompt: `n${i}` })),
    ];
    const res = await auth(request(h.app).post('/v1/batches'))
      .set('content-type', 'application/x-ndjson')
      .send(lines.join('\n') + '\n')
      .expect(202);
    const done = await ended(res.body.id);
    expect(done.counts.succeeded).toBe(9);
  });

  it('rejects a batch with invalid items, listing item indices, and enqueues nothing', async () => {
    const before = await h.queue.count();
    const items = [
      { prompt: 'ok' },
      { prompt: '' },
      { prompt: 'ok' },
      { prompt: 'x', seed: -1 },
      { prompt: 'a\u0000b' },
    ];
    const res = await auth(request(h.app).post('/v1/batches')).send({ model: 'mdl_batch', items }).expect(400);
    expect(res.body.error.code).toBe('invalid_batch_items');
    expect(res.body.error.details.errors.map((e: { index: number }) => e.index)).toEqual([1, 3, 4]);
    const nd = ['{"model":"mdl_batch"}', '{"prompt":"fine"}', 'not json', '{"prompt":"fine","extra":1}'].join('\n');
    const res2 = await auth(request(h.app).post('/v1/batches'))
      .set('content-type', 'application/x-ndjson')
      .send(nd)
      .expect(400);
    expect(res2.body.error.details.errors.map((e: { index: number }) => e.index)).toEqual([1, 2]);
    expect(await h.queue.count()).toBe(before);
  });

  it('cancels a batch: waiting jobs are removed, their items canceled, and a manifest is written', async () => {
    await h.queue.pause();
    try {
      const items = Array.from({ length: 64 }, (_, i) => ({ prompt: `c${i}` }));
      const res = await auth(request(h.app).post('/v1/batches')).send({ model: 'mdl_batch', items }).expect(202);
      const canceled = await auth(request(h.app).post(`/v1/batches/${res.body.id}/cancel`)).expect(200);
      expect(canceled.body.status).toBe('canceled');
      const done = await ended(res.body.id);
      expect(done.counts).toEqual({ pending: 0, succeeded: 0, failed: 0, canceled: 64 });
      expect(await h.queue.getJob(`${res.body.id}-0`)).toBeUndefined();
      expect(await results(res.body.id)).toHaveLength(64);
    } finally {
      await h.queue.resume();
    }
  });

  it('R1a: stores every accepted item spec (prompt as sent, negative prompt, seed) in S3 before the 202, matching the jobs', async () => {
    await h.queue.pause();
    try {
      const lines = [
        JSON.stringify({ model: 'mdl_batch', defaults: { negativePrompt: 'low quality' } }),
        ...Array.from({ length: 19 }, (_, i) =>
          JSON.stringify({
            prompt: `{trigger} as s${i}`,
            ...(i % 2 === 0 && { seed: i }),
            ...(i === 5 && { negativePrompt: 'x' }),
          }),
        ),
      ];
      const res = await auth(request(h.app).post('/v1/batches'))
        .set('content-type', 'application/x-ndjson')
        .send(lines.join('\n') + '\n')
        .expect(202);
      const id = res.body.id as string;
      const stored = (await h.objects.get(`tenants/acme/batches/${id}/items/0.ndjson`))
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const jobs = await Promise.all([0, 1, 2].map((n) => h.queue.getJob(`${id}-${n}`)));
      expect(stored).toEqual(jobs.flatMap((j) => j!.data.items));
      expect(stored.map((i) => i.index)).toEqual(Array.from({ length: 19 }, (_, i) => i));
      expect(stored[4]).toMatchObject({ seed: 4, negativePrompt: 'low quality' });
      expect(stored[5].negativePrompt).toBe('x');
      expect(stored.every((i) => !i.prompt.includes('{trigger}'))).toBe(true);
      await auth(request(h.app).post(`/v1/batches/${id}/cancel`)).expect(200);
      await ended(id);
    } finally {
      await h.queue.resume();
    }
  });

  it('streams a finished batch’s images as a zip with a results file naming each item’s image (409 before it ends)', async () => {
    await h.queue.pause();
    let id: string;
    try {
      const res = await auth(request(h.app).post('/v1/batches'))
        .send({ model: 'mdl_batch', items: [{ prompt: 'a', seed: 5 }, { prompt: 'b', seed: 6 }, { prompt: 'c' }] })
        .expect(202);
      id = res.body.id;
      const early = await auth(request(h.app).get(`/v1/batches/${id}/images.zip`)).expect(409);
      expect(early.body.error.code).toBe('batch_not_finished');
    } finally {
      await h.queue.resume();
    }
    await ended(id);
    const zip = await auth(request(h.app).get(`/v1/batches/${id}/images.zip`))
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.headers['content-disposition']).toBe(`attachment; filename="${id}-images.zip"`);
    const entries = readZip(zip.body as Buffer);
    const lines = entries
      .get('results.ndjson')!
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { index: number; seed: number; file?: string; imageKey?: string });
    expect(lines.map((l) => [l.index, l.file])).toEqual([
      [0, 'images/000000-seed5.jpg'],
      [1, 'images/000001-seed6.jpg'],
      [2, `images/000002-seed${lines[2]!.seed}.jpg`],
    ]);
    expect(lines.every((l) => l.imageKey === undefined)).toBe(true);
    // Each image is the object in S3, byte for byte, and a JPEG.
    const manifest = await results(id);
    for (const line of lines) {
      const bytes = entries.get(line.file!)!;
      expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      const url = manifest.find((m: { index: number }) => m.index === line.index).url as string;
      expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(bytes)).toBe(true);
    }
    expect(entries.size).toBe(4);
  });

  it('keeps batches tenant-scoped (404 for another tenant on every route)', async () => {
    const other = await h.keyFor('other');
    const res = await auth(request(h.app).post('/v1/batches'))
      .send({ model: 'mdl_batch', items: [{ prompt: 'mine' }] })
      .expect(202);
    await ended(res.body.id);
    for (const path of ['', '/results', '/images.zip'])
      await auth(request(h.app).get(`/v1/batches/${res.body.id}${path}`), other).expect(404);
    for (const path of ['/cancel', '/retry-failed'])
      await auth(request(h.app).post(`/v1/batches/${res.body.id}${path}`), other).expect(404);
    await auth(request(h.app).post('/v1/batches'), other)
      .send({ model: 'mdl_batch', items: [{ prompt: 'x' }] })
      .expect(404);
  });
});
