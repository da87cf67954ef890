import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { type StoredEvent } from './event-log';
import { JobIndex, decodeCursor } from './job-index';
import { WebhookSecrets } from './webhook-secrets';

let seq = 0;
const at = (ms: number) => `${ms}-${seq++}`;
const event = (over: Partial<StoredEvent> & Pick<StoredEvent, 'id' | 'resourceId' | 'status'>): StoredEvent => ({
  type: `model.${over.status}`,
  resource: 'model',
  tenantId: 'acme',
  at: new Date().toISOString(),
  ...over,
});

describe('JobIndex (real Redis)', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  it('moves an entry between status facets and ignores replayed or older events', async () => {
    const index = new JobIndex(fx.redis, fx.keySpace());
    const queued = event({ id: at(1000), resourceId: 'mdl_a', status: 'queued' });
    const ready = event({ id: at(2000), resourceId: 'mdl_a', status: 'ready' });
    expect(await index.apply(queued)).toBe(true);
    expect(await index.apply(ready)).toBe(true);
    expect(await index.apply(queued)).toBe(false);
    expect(await index.apply(ready)).toBe(false);

    expect(await index.get('mdl_a')).toMatchObject({
      status: 'ready',
      createdAt: 1000,
      updatedAt: 2000,
      modelId: 'mdl_a',
    });
    expect((await index.search({ status: 'queued' })).entries).toEqual([]);
    expect((await index.search({ status: 'ready' })).entries.map((e) => e.id)).toEqual(['mdl_a']);
  });

  it('intersects facets, filters by time and pages with a cursor without repeats', async () => {
    const index = new JobIndex(fx.redis, fx.keySpace());
    for (let i = 0; i < 30; i++) {
      await index.apply(
        event({
          id: at(10_000 + i),
          resource: 'generation',
          type: 'generation.failed',
          resourceId: `gen_${String(i).padStart(3, '0')}`,
          tenantId: i % 2 === 0 ? 'acme' : 'other',
          status: i % 3 === 0 ? 'failed' : 'succeeded',
          data: { modelId: i < 15 ? 'mdl_one' : 'mdl_two' },
        }),
      );
    }
    const expected = [...Array(30).keys()]
      .filter((i) => i % 2 === 0 && i % 3 === 0)
      .reverse()
      .map((i) => `gen_${String(i).padStart(3, '0')}`);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await index.search({ tenant: 'acme', status: 'failed', kind: 'generation', limit: 2, cursor });
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);

    const recentOnModelTwo = await index.search({ model: 'mdl_two', since: 10_025 });
    expect(recentOnModelTwo.entries.map((e) => e.id)).toEqual(['gen_029', 'gen_028', 'gen_027', 'gen_026', 'gen_025']);
    expect(recentOnModelTwo.nextCursor).toBeUndefined();
  });

  it('rejects a cursor it did not make', () => {
    expect(() => decodeCursor('not-a-cursor')).toThrow(RangeError);
  });
});

describe('WebhookSecrets (real Redis)', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  it('creates a first secret once and keeps the previous one active during the grace period', async () => {
    const secrets = new WebhookSecrets(fx.redis, fx.keySpace(), 60);
    const first = await secrets.ensure('acme');
    expect(first).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await secrets.ensure('acme')).toBeUndefined();

    const rotated = await secrets.rotate('acme');
    expect(rotated.previousValidUntil).toEqual(expect.any(String));
    expect(await secrets.active('acme')).toEqual([rotated.secret, first]);
    expect(await secrets.active('acme', Date.now() + 61_000)).toEqual([rotated.secret]);
  });
});
