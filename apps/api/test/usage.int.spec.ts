import request from 'supertest';
import { SETUP_MODEL } from '@dreamqueue/contracts';
import { type LedgerEntry } from '@dreamqueue/emulator';
import { BatchStore, EventLog, GenerationStore, UsageLedger } from '@dreamqueue/records';
import { eventually } from '@dreamqueue/testing';
import { startGenerationHarness, type GenerationHarness } from './generation-harness';

// 30 s + 2 s per image in emulated time, at 1 real ms per emulated second: 46 real ms for 8 images.
const FIXED_MS = 30_000;
const PER_IMAGE_MS = 2_000;
const TIME_SCALE = 0.001;
const modelLatency = (images: number) => (FIXED_MS + PER_IMAGE_MS * images) * TIME_SCALE;

describe('cost ledger: GPU time per invocation, tenant, model and batch (real worker, emulator)', () => {
  let h: GenerationHarness;
  let acme: string;
  let ledger: UsageLedger;
  let batches: BatchStore;
  let generations: GenerationStore;
  beforeAll(async () => {
    h = await startGenerationHarness({ fixedLatencyMs: FIXED_MS, perImageLatencyMs: PER_IMAGE_MS });
    acme = await h.keyFor('acme');
    await h.registerModel('acme', 'mdl_cost', [[200, 40, 40]]);
    ledger = new UsageLedger(h.redis, h.keySpace);
    const events = new EventLog(h.redis, h.keySpace);
    batches = new BatchStore(h.redis, h.keySpace, events);
    generations = new GenerationStore(h.redis, h.keySpace, events);
  });
  afterAll(async () => h.close());

  const auth = (r: request.Test, k = acme) => r.set('authorization', `Bearer ${k}`);
  /** The emulator's own record of the answered invocations whose inference id starts with `prefix`. */
  const answered = (prefix: string): LedgerEntry[] =>
    h.emulator
      .ledger()
      .filter((e) => e.op === 'InvokeEndpoint' && e.outcome === 'ok' && e.inferenceId?.startsWith(prefix));
  const sumMs = (entries: LedgerEntry[]) => entries.reduce((sum, e) => sum + (e.durationMs ?? 0), 0);

  it("charges a batch the sum of its invocations' durations, at least what the endpoint spent on them", async () => {
    await h.startWorker();
    const items = Array.from({ length: 20 }, (_, i) => ({ prompt: `item ${i}` }));
    const res = await auth(request(h.app).post('/v1/batches'))
      .send({ model: 'mdl_cost', items, defaults: { steps: 10, guidance: 5 } })
      .expect(202);
    const id = res.body.id as string;
    const done = await eventually(
      async () => {
        const batch = await batches.get('acme', id);
        return batch?.status === 'completed' ? batch : undefined;
      },
      30_000,
      `batch ${id}`,
    );
    // Every item served; on failure, the endpoint's answers to this batch say why.
    const outcomes = h.emulator
      .ledger()
      .filter((e) => e.op === 'InvokeEndpoint' && (e.inferenceId?.startsWith(id) || e.targetModel === SETUP_MODEL))
      .map((e) => `${e.inferenceId ?? e.targetModel}: ${e.outcome}`);
    expect({ succeeded: done.succeeded, failed: done.failed, ...(done.failed > 0 && { outcomes }) }).toEqual({
      succeeded: 20,
      failed: 0,
    });
    const calls = answered(id);
    expect(calls).toHaveLength(3); // 8 + 8 + 4 items
    // The worker's span holds the endpoint's: it is at least the emulator's figure, and both hold the model's latency.
    expect(sumMs(calls)).toBeGreaterThanOrEqual(2 * modelLatency(8) + modelLatency(4));
    expect(done.gpuMs).toBeGreaterThanOrEqual(sumMs(calls));
    expect(done.gpuMs).toBeLessThan(sumMs(calls) + 3 * 1_000);
    const totals = await ledger.totals('acme');
    expect(totals.generate).toEqual({ gpuMs: done.gpuMs, invocations: 3, images: 20 });
    const perModel = await ledger.models('acme');
    expect(perModel).toEqual([{ modelId: 'mdl_cost', usage: totals }]);
    const view = await auth(request(h.app).get(`/v1/batches/${id}`)).expect(200);
    expect(view.body.gpuSeconds).toBe(done.gpuMs! / 1000);
    // The completion event (and its webhook) carries the same figure.
    const completed = (await new EventLog(h.redis, h.keySpace).readAfter('acme', '0', 1000)).find(
      (e) => e.type === 'batch.completed' && e.resourceId === id,
    );
    expect(completed?.data).toMatchObject({ succeeded: 20, gpuSeconds: done.gpuMs! / 1000 });
    await h.stopWorker();
  });

  it('does not charge twice for a job that runs again after its worker died mid-delivery', async () => {
    // The first image upload hangs well past the job lock, so the job is taken over and invoked again.
    h.emulator.setFaults([{ op: 's3:PutObject', rate: 1, count: 1, latencyMs: 6_000_000 }]);
    const first = await h.startWorker();
    const before = await ledger.totals('acme');
    const res = await auth(request(h.app).post('/v1/generations'))
      .send({ model: 'mdl_cost', prompt: 'a portrait of {trigger}', numImages: 2 })
      .expect(202);
    const id = res.body.id as string;
    await eventually(async () => (answered(id).length === 1 ? true : undefined), 10_000, 'the first invocation');
    await first.close(true); // dies: no more lock renewals, the job stalls
    await h.stopWorker(); // (the other queues' workers of that process)
    await h.startWorker();
    const done = await eventually(
      async () => {
        const g = await generations.get('acme', id);
        return g?.status === 'succeeded' ? g : undefined;
      },
      20_000,
      `generation ${id}`,
    );
    expect(answered(id)).toHaveLength(2); // the endpoint ran it twice …
    const after = await ledger.totals('acme');
    expect(after.generate.invocations - before.generate.invocations).toBe(1); // … the ledger charged it once
    expect(after.generate.images - before.generate.images).toBe(2);
    expect(done.gpuMs).toBe(after.generate.gpuMs - before.generate.gpuMs);
    expect(done.gpuMs).toBeGreaterThanOrEqual(modelLatency(2));
    // The dead worker's hung upload still ends; let it, before the services close.
    const uploads = () => h.emulator.ledger().filter((e) => e.op === 'PutObject' && e.key?.includes(id)).length;
    await eventually(async () => (uploads() >= 4 ? true : undefined), 15_000, 'the hung upload');
    h.emulator.setFaults([]);
    await h.stopWorker();
    const view = await auth(request(h.app).get(`/v1/generations/${id}`)).expect(200);
    expect(view.body.gpuSeconds).toBe(done.gpuMs! / 1000);
  });

  it('shows a tenant only its own usage, in total, per model and per day', async () => {
    const totals = await ledger.totals('acme');
    // Two days, so a run across midnight (UTC) still finds every invocation.
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 24 * 3600 * 1000).toISOString().slice(0, 10);
    const own = await auth(request(h.app).get('/v1/usage').query({ from: yesterday, to: today })).expect(200);
    const seconds = (ms: number) => ms / 1000;
    const figures = {
      gpuSeconds: seconds(totals.generate.gpuMs),
      generate: { gpuSeconds: seconds(totals.generate.gpuMs), invocations: 4, images: 22 },
      train: { gpuSeconds: 0, trainings: 0 },
    };
    const { days, ...rest } = own.body;
    expect(rest).toEqual({ object: 'usage', tenant: 'acme', ...figures, models: [{ model: 'mdl_cost', ...figures }] });
    expect(days.map((d: { date: string }) => d.date)).toEqual([yesterday, today]);
    const perDay = days.map((d: { generate: { invocations: number } }) => d.generate.invocations);
    expect(perDay[0] + perDay[1]).toBe(4);

    const rival = await h.keyFor('rival');
    const theirs = await auth(request(h.app).get('/v1/usage'), rival).expect(200);
    expect(theirs.body).toEqual({
      object: 'usage',
      tenant: 'rival',
      gpuSeconds: 0,
      generate: { gpuSeconds: 0, invocations: 0, images: 0 },
      train: { gpuSeconds: 0, trainings: 0 },
      models: [],
    });
    // Nothing in the query reaches another tenant's figures, and the admin routes refuse a tenant key.
    await auth(request(h.app).get('/v1/usage').query({ tenant: 'acme' }), rival).expect(400);
    await auth(request(h.app).get('/v1/admin/usage'), rival).expect(403);
  });

  it('lists every tenant for operators, largest first, and one tenant on request', async () => {
    await ledger.record({
      invocationId: 'manual-1',
      tenantId: 'beta',
      modelId: 'mdl_beta',
      kind: 'train',
      ms: 10_000_000,
      images: 0,
      resource: { kind: 'model', id: 'mdl_beta' },
    });
    const operator = await h.keyFor('ops', 'operator');
    const all = await auth(request(h.app).get('/v1/admin/usage'), operator).expect(200);
    expect(all.body.count).toBe(2);
    expect(all.body.data.map((t: { tenant: string }) => t.tenant)).toEqual(['beta', 'acme']);
    expect(all.body.data[0]).toMatchObject({ gpuSeconds: 10_000, train: { gpuSeconds: 10_000, trainings: 1 } });

    const page = await auth(request(h.app).get('/v1/admin/usage').query({ limit: 1 }), operator).expect(200);
    expect(page.body).toMatchObject({ count: 2, nextOffset: 1, data: [{ tenant: 'beta' }] });
    const one = await auth(request(h.app).get('/v1/admin/usage').query({ tenant: 'acme' }), operator).expect(200);
    expect(one.body.data).toEqual([all.body.data[1]]);
    const acmeView = await auth(request(h.app).get('/v1/admin/usage/acme'), operator).expect(200);
    const tenantView = await auth(request(h.app).get('/v1/usage')).expect(200);
    expect(acmeView.body).toEqual(tenantView.body);
  });

  it('refuses a malformed or oversized day range with invalid_query', async () => {
    for (const query of [
      { from: '2026-02-30' },
      { from: '2026-12-02', to: '2026-12-01' },
      { from: '2020-01-01', to: '2026-01-01' },
    ]) {
      const res = await auth(request(h.app).get('/v1/usage').query(query)).expect(400);
      expect(res.body.error.code).toBe('invalid_query');
    }
  });
});
