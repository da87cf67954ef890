import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { BatchStore, type ItemOutcome } from './batch.store';
import { EventLog } from './event-log';

describe('BatchStore (real Redis)', () => {
  let fx: RedisFixture;
  let store: BatchStore;
  let events: EventLog;
  beforeAll(async () => {
    fx = await startRedisFixture();
    const keySpace = fx.keySpace();
    events = new EventLog(fx.redis, keySpace);
    store = new BatchStore(fx.redis, keySpace, events, { progressIntervalMs: 60_000 });
  });
  afterAll(async () => fx.close());

  const newBatch = (id: string, total: number) =>
    store.create({
      id,
      tenantId: 'acme',
      modelId: 'mdl_a',
      targetModel: 't.tar.gz',
      artifactEtag: 'e',
      total,
      steps: 20,
      guidance: 7,
    });
  const ok = (index: number): ItemOutcome => ({ index, state: 'succeeded', seed: index });
  const bad = (index: number): ItemOutcome => ({
    index,
    state: 'failed',
    seed: index,
    error: { code: 'model_error', message: 'bad | input' },
    retry: { prompt: `p${index}`, negativePrompt: '', seed: index },
  });

  it('creates a batch whose earlier creation stopped after its first write (a field, no TTL)', async () => {
    const key = store.keys('acme', 'bat_stub').batch;
    await fx.redis.hset(key, 'id', 'bat_stub');
    const { record, created } = await newBatch('bat_stub', 3);
    expect(created).toBe(true);
    expect(record).toMatchObject({ id: 'bat_stub', status: 'queued', total: 3, succeeded: 0 });
    expect(await fx.redis.ttl(key)).toBeGreaterThan(0);
    const queued = (await events.readAfter('acme', '0', 1_000)).filter((e) => e.resourceId === 'bat_stub');
    expect(queued.map((e) => e.type)).toEqual(['batch.queued']);
  });

  it('creates the hash, its TTL, its index entry and its event together, once', async () => {
    const first = await newBatch('bat_once', 2);
    const second = await newBatch('bat_once', 2);
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.record).toEqual(first.record);
    expect(await fx.redis.ttl(store.keys('acme', 'bat_once').batch)).toBeGreaterThan(0);
    const queued = (await events.readAfter('acme', '0', 1_000)).filter((e) => e.resourceId === 'bat_once');
    expect(queued.map((e) => e.type)).toEqual(['batch.queued']);
  });

  it('counts each item once however often a job reports it (I10-style duplicate delivery)', async () => {
    await newBatch('bat_dup', 4);
    await store.recordItems('acme', 'bat_dup', [ok(0), ok(1)]);
    const again = await store.recordItems('acme', 'bat_dup', [ok(0), ok(1)]);
    expect(again?.counts).toEqual({ succeeded: 2, failed: 0, canceled: 0, total: 4 });
    expect(again?.finalize).toBe(false);
    expect((await store.get('acme', 'bat_dup'))?.status).toBe('running');
  });

  it('finishes exactly once when the last jobs complete concurrently', async () => {
    await newBatch('bat_race', 16);
    await store.recordItems(
      'acme',
      'bat_race',
      Array.from({ length: 8 }, (_, i) => ok(i)),
    );
    const last = Array.from({ length: 8 }, (_, i) => ok(8 + i));
    const results = await Promise.all([
      store.recordItems('acme', 'bat_race', last),
      store.recordItems('acme', 'bat_race', last),
    ]);
    const record = (await store.get('acme', 'bat_race'))!;
    const completions = await Promise.all(
      results.filter((r) => r?.finalize).map((r) => store.complete(record, r!.counts, 'manifest')),
    );
    expect(completions.filter(Boolean)).toHaveLength(1);
    const completedEvents = (await events.readAfter('acme', '0', 1000)).filter(
      (e) => e.resourceId === 'bat_race' && e.type === 'batch.completed',
    );
    expect(completedEvents).toHaveLength(1);
    expect((await store.get('acme', 'bat_race'))?.status).toBe('completed');
  });

  it('re-opens only failed items, keeps their specs and reasons, and a success overrides a stale failure', async () => {
    await newBatch('bat_retry', 3);
    const r = await store.recordItems('acme', 'bat_retry', [ok(0), bad(1), bad(2)]);
    await store.complete((await store.get('acme', 'bat_retry'))!, r!.counts, 'm');
    const manifest = [];
    for await (const item of store.items('acme', 'bat_retry', 3)) manifest.push(item);
    expect(manifest[1]).toEqual({
      index: 1,
      status: 'failed',
      seed: 1,
      error: { code: 'model_error', message: 'bad | input' },
    });

    expect(await store.reopenFailed('acme', 'bat_retry')).toEqual({ round: 1, items: 2 });
    expect((await store.retrySpecs('acme', 'bat_retry')).map((s) => s.prompt)).toEqual(['p1', 'p2']);
    const after = await store.recordItems('acme', 'bat_retry', [ok(1), ok(2)]);
    expect(after).toMatchObject({ finalize: true, counts: { succeeded: 3, failed: 0 } });
    expect(await store.retrySpecs('acme', 'bat_retry')).toEqual([]);
    expect(await store.reopenFailed('acme', 'bat_retry')).toEqual({ notCompleted: 'running' });
  });
});
