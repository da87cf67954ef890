import { createLogger } from '@dreamqueue/logger';
import { JobIndex, JobIndexRetention, type StoredEvent } from '@dreamqueue/records';
import { type KeySpace } from '@dreamqueue/redis';
import { eventually, startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { JobIndexPruner } from './job-index-pruner';

const logger = createLogger({ name: 'pruner-test', level: 'silent' });
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25);
let seq = 0;

const event = (id: string, at: number, status = 'succeeded'): StoredEvent => ({
  id: `${at}-${seq++}`,
  type: `generation.${status}`,
  resource: 'generation',
  resourceId: id,
  tenantId: 'acme',
  status,
  at: new Date(at).toISOString(),
  data: { modelId: 'mdl_one' },
});

describe('job-search index retention loop (real Redis)', () => {
  let fx: RedisFixture;
  let keySpace: KeySpace;
  let index: JobIndex;
  const pruners: JobIndexPruner[] = [];
  const pruner = (holder: string, intervalMs: number, connection = fx.redis) => {
    const p = new JobIndexPruner({
      retention: new JobIndexRetention(connection, keySpace),
      logger,
      retentionMs: 30 * DAY,
      intervalMs,
      holder,
      batchSize: 4,
      now: () => NOW,
    });
    pruners.push(p);
    return p;
  };

  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());
  beforeEach(async () => {
    keySpace = fx.keySpace();
    index = new JobIndex(fx.redis, keySpace);
    for (let i = 0; i < 10; i++) await index.apply(event(`gen_old${i}`, NOW - 31 * DAY - i * 1000, 'failed'));
    for (let i = 0; i < 3; i++) await index.apply(event(`gen_new${i}`, NOW - 29 * DAY + i));
  });
  afterEach(async () => {
    await Promise.all(pruners.splice(0).map((p) => p.stop()));
  });

  it('prunes once per interval across workers: the lease holder removes old entries, the others skip', async () => {
    const other = fx.redis.duplicate();
    try {
      const [a, b] = await Promise.all([
        pruner('worker-a', 60_000).runOnce(),
        pruner('worker-b', 60_000, other).runOnce(),
      ]);
      expect([a, b].filter((r) => r === undefined)).toHaveLength(1);
      expect(a ?? b).toEqual({ removed: 10, skipped: 0, batches: 3 });
      expect((await index.search({ model: 'mdl_one' })).entries.map((e) => e.id)).toEqual([
        'gen_new2',
        'gen_new1',
        'gen_new0',
      ]);
      expect(await index.search({ status: 'failed' })).toEqual({ entries: [] });
      expect(await fx.redis.exists(index.entryKey('gen_old0'), index.facetKey('status', 'failed'))).toBe(0);
    } finally {
      other.disconnect();
    }
  });

  it('runs on its interval once started and stops cleanly', async () => {
    const loop = pruner('worker-a', 50);
    loop.start();
    await eventually(async () => ((await fx.redis.zcard(index.facetKey('all'))) === 3 ? true : undefined));
    // Entries that age past the retention later are removed by a later run of the same loop.
    await index.apply(event('gen_late', NOW - 40 * DAY + 7));
    await eventually(async () => ((await index.get('gen_late')) === undefined ? true : undefined));
    await loop.stop();
    expect((await index.search({})).entries.map((e) => e.id).sort()).toEqual(['gen_new0', 'gen_new1', 'gen_new2']);
  });
});
