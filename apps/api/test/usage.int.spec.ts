import request from 'supertest';
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
  });
});
