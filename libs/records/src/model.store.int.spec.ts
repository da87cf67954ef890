import { TrainingParams } from '@dreamqueue/contracts';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { EventLog } from './event-log';
import { canTransition, ModelStore, type ModelRecord } from './model.store';

const record = (id: string, createdAt: string): ModelRecord => ({
  id,
  tenantId: 'acme',
  name: 'me',
  token: '<<abc>>',
  subjectClass: 'person',
  triggerPhrase: 'photo of <<abc>> person',
  params: TrainingParams.parse({}),
  photoCount: 10,
  status: 'queued',
  progress: 0,
  stages: { queued: createdAt },
  createdAt,
  updatedAt: createdAt,
  version: 1,
});

describe('ModelStore (real Redis)', () => {
  let fx: RedisFixture;
  let store: ModelStore;
  let events: EventLog;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  beforeEach(() => {
    const keySpace = fx.keySpace();
    events = new EventLog(fx.redis, keySpace);
    store = new ModelStore(fx.redis, keySpace, events);
  });
  afterAll(async () => fx.close());

  it('records each status change with its event, forward only', async () => {
    await store.create(record('mdl_a', '2026-01-01T00:00:00.000Z'));
    expect((await store.transition('acme', 'mdl_a', 'preparing')).changed).toBe(true);
    expect((await store.transition('acme', 'mdl_a', 'queued')).changed).toBe(false);
    const failed = await store.transition('acme', 'mdl_a', 'failed', { failureReason: 'bad photos' });
    expect(failed.record).toMatchObject({ status: 'failed', failureReason: 'bad photos' });
    expect((await store.transition('acme', 'mdl_a', 'queued')).changed).toBe(false);
    const log = await events.readAfter('acme');
    expect(log.map((e) => e.type)).toEqual(['model.queued', 'model.preparing', 'model.failed']);
    expect(log[2]!.data).toEqual({ reason: 'bad photos' });
    // O4: an operator retry of the train job revives a failed model; the old reason goes.
    const revived = await store.transition('acme', 'mdl_a', 'training', { failureReason: undefined });
    expect(revived.record?.status).toBe('training');
    expect((await store.get('acme', 'mdl_a'))?.failureReason).toBeUndefined();
  });

  it('lets exactly one of many concurrent transitions win', async () => {
    await store.create(record('mdl_b', '2026-01-01T00:00:00.000Z'));
    const results = await Promise.all([
      store.transition('acme', 'mdl_b', 'canceled'),
      store.transition('acme', 'mdl_b', 'ready'),
      store.transition('acme', 'mdl_b', 'failed'),
      store.setProgress('acme', 'mdl_b', 50),
    ]);
    const winners = results.slice(0, 3).filter((r) => r && r.changed);
    expect(winners).toHaveLength(1);
    expect((await events.readAfter('acme')).length).toBe(2);
  });

  it('pages newest first and never reads another tenant', async () => {
    for (let i = 0; i < 5; i++)
      await store.create(record(`mdl_p${i}`, new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString()));
    const first = await store.list('acme', 2);
    expect(first.items.map((m) => m.id)).toEqual(['mdl_p4', 'mdl_p3']);
    const second = await store.list('acme', 2, first.nextCursor);
    expect(second.items.map((m) => m.id)).toEqual(['mdl_p2', 'mdl_p1']);
    const third = await store.list('acme', 2, second.nextCursor);
    expect(third).toEqual({ items: [expect.objectContaining({ id: 'mdl_p0' })] });
    expect((await store.list('other', 10)).items).toEqual([]);
    expect(await store.get('other', 'mdl_p0')).toBeUndefined();
  });

  it('allows deletion from any state but nothing after it', () => {
    expect(canTransition('ready', 'deleted')).toBe(true);
    expect(canTransition('training', 'deleted')).toBe(true);
    expect(canTransition('deleted', 'failed')).toBe(false);
    expect(canTransition('ready', 'failed')).toBe(false);
    expect(canTransition('canceled', 'training')).toBe(false);
    expect(canTransition('failed', 'queued')).toBe(false);
    expect(canTransition('queued', 'training')).toBe(true);
  });
});
