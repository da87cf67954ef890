import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { type KeySpace } from '@dreamqueue/redis';
import { BatchStore } from './batch.store';
import { EventLog } from './event-log';
import { daysBetween, UsageLedger, type UsageEntry } from './usage-ledger';

describe('UsageLedger (real Redis)', () => {
  let fx: RedisFixture;
  let keySpace: KeySpace;
  let ledger: UsageLedger;
  let batches: BatchStore;
  beforeAll(async () => {
    fx = await startRedisFixture();
    keySpace = fx.keySpace();
    ledger = new UsageLedger(fx.redis, keySpace);
    batches = new BatchStore(fx.redis, keySpace, new EventLog(fx.redis, keySpace));
  });
  afterAll(async () => fx.close());

  const DAY1 = Date.parse('2026-11-30T23:59:00Z');
  const DAY2 = Date.parse('2026-12-01T00:01:00Z');
  const entry = (over: Partial<UsageEntry>): UsageEntry => ({
    invocationId: 'job-1:0',
    tenantId: 'acme',
    modelId: 'mdl_a',
    kind: 'generate',
    ms: 1500,
    images: 8,
    resource: { kind: 'batch', id: 'bat_one' },
    ...over,
  });

  it('adds an invocation to the tenant, its model, its day and its batch record exactly once', async () => {
    const { record } = await batches.create({
      id: 'bat_one',
      tenantId: 'acme',
      modelId: 'mdl_a',
      targetModel: 't.tar.gz',
      artifactEtag: 'e',
      total: 16,
      steps: 20,
      guidance: 7,
    });
    expect(record.gpuMs).toBeUndefined();

    expect(await ledger.record(entry({}), DAY1)).toBe(true);
    expect(await ledger.record(entry({ ms: 9999 }), DAY1)).toBe(false); // the same invocation again
    expect(await ledger.record(entry({ invocationId: 'job-2:0', ms: 700.4 }), DAY2)).toBe(true);

    expect((await batches.get('acme', 'bat_one'))?.gpuMs).toBe(2200);
    expect(await ledger.totals('acme')).toEqual({
      generate: { gpuMs: 2200, invocations: 2, images: 16 },
      train: { gpuMs: 0, invocations: 0, images: 0 },
    });
    const days = await ledger.days('acme', '2026-11-30', '2026-12-02');
    expect(days.map((d) => [d.date, d.usage.generate.gpuMs])).toEqual([
      ['2026-11-30', 1500],
      ['2026-12-01', 700],
      ['2026-12-02', 0],
    ]);
  });

  it('keeps the dedupe entries no longer than the record they belong to', async () => {
    const usageKey = `${batches.keys('acme', 'bat_one').batch}:usage`;
    const [recordTtl, dedupeTtl] = await Promise.all([
      fx.redis.pttl(batches.keys('acme', 'bat_one').batch),
      fx.redis.pttl(usageKey),
    ]);
    expect(dedupeTtl).toBeGreaterThan(0);
    expect(dedupeTtl).toBeLessThanOrEqual(recordTtl);
  });

  it('counts trainings per model without writing into the model record (a JSON string)', async () => {
    const modelKey = keySpace.key('model', 'acme', 'mdl_b');
    await fx.redis.set(modelKey, '{"id":"mdl_b"}');
    const train = entry({
      invocationId: 'train-mdl_b-1',
      modelId: 'mdl_b',
      kind: 'train',
      ms: 60_000,
      images: 0,
      resource: { kind: 'model', id: 'mdl_b' },
    });
    expect(await ledger.record(train)).toBe(true);
    expect(await ledger.record(train)).toBe(false);
    expect(await fx.redis.get(modelKey)).toBe('{"id":"mdl_b"}');
    const models = await ledger.models('acme');
    expect(
      models.map((m) => [m.modelId, m.usage.generate.gpuMs, m.usage.train.gpuMs, m.usage.train.invocations]),
    ).toEqual([
      ['mdl_a', 2200, 0, 0],
      ['mdl_b', 0, 60_000, 1],
    ]);
  });

  it('does not re-create a record that expired, and keeps tenants apart', async () => {
    expect(
      await ledger.record(
        entry({ tenantId: 'other', invocationId: 'gen-1:0', resource: { kind: 'generation', id: 'gen_gone' } }),
      ),
    ).toBe(true);
    expect(await fx.redis.exists(keySpace.key('generation', 'other', 'gen_gone'))).toBe(0);
    expect((await ledger.totals('other')).generate.gpuMs).toBe(1500);
    expect((await ledger.totals('acme')).generate.gpuMs).toBe(2200);
    const { page, count } = await ledger.tenants(0, 10);
    expect(count).toBe(2);
    expect(page).toEqual([
      { tenantId: 'acme', gpuMs: 62_200 },
      { tenantId: 'other', gpuMs: 1500 },
    ]);
  });

  it('lists every date of a range, across a month end', () => {
    expect(daysBetween('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });
});
