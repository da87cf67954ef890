import { type KeySpace } from '@dreamqueue/redis';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { type ResourceType, type StoredEvent } from './event-log';
import { JobIndex, type JobSearchQuery } from './job-index';
import { JobIndexRetention } from './job-index-retention';

let seq = 0;
const CUTOFF = 100_000;
const KINDS: ResourceType[] = ['model', 'generation', 'batch'];
const STATUSES = ['queued', 'running', 'failed', 'succeeded'];

interface Spec {
  id: string;
  kind: ResourceType;
  tenantId: string;
  modelId?: string;
  history: Array<{ at: number; status: string }>;
}

/** 60 entries across tenants, models, kinds and statuses; every third one last changed after the cutoff. */
function corpus(): Spec[] {
  return [...Array(60).keys()].map((i) => {
    const kind = KINDS[i % 3]!;
    const id = `${kind === 'model' ? 'mdl' : kind === 'generation' ? 'gen' : 'bat'}_${String(i).padStart(3, '0')}`;
    const first = 1_000 + i * 100;
    const last = i % 3 === 0 ? CUTOFF + 1_000 + i : first + 50;
    return {
      id,
      kind,
      tenantId: ['acme', 'globex', 'initech'][i % 4 === 0 ? 0 : (i % 2) + 1]!,
      ...(kind === 'model' ? {} : i % 5 === 0 ? {} : { modelId: `mdl_m${i % 4}` }),
      history: [
        { at: first, status: 'queued' },
        { at: last, status: STATUSES[i % 4]! },
      ],
    };
  });
}

function eventsOf(spec: Spec): StoredEvent[] {
  return spec.history.map((h) => ({
    id: `${h.at}-${seq++}`,
    type: `${spec.kind}.${h.status}`,
    resource: spec.kind,
    resourceId: spec.id,
    tenantId: spec.tenantId,
    status: h.status,
    at: new Date(h.at).toISOString(),
    ...(spec.modelId ? { data: { modelId: spec.modelId } } : {}),
  }));
}

const lastAt = (s: Spec) => s.history[s.history.length - 1]!.at;

describe('JobIndexRetention (real Redis)', () => {
  let fx: RedisFixture;
  let keySpace: KeySpace;
  let index: JobIndex;
  let specs: Spec[];

  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());
  beforeEach(async () => {
    keySpace = fx.keySpace();
    index = new JobIndex(fx.redis, keySpace);
    specs = corpus();
    for (const spec of specs) for (const e of eventsOf(spec)) await index.apply(e);
  });

  /** Every index key of this key space, with its members (sets) or its id (hashes). */
  async function snapshot(): Promise<{ facets: Map<string, string[]>; hashes: string[] }> {
    const keys = await fx.redis.keys(`${keySpace.key('jobidx')}:*`);
    const facets = new Map<string, string[]>();
    const hashes: string[] = [];
    for (const key of keys) {
      const type = await fx.redis.type(key);
      if (type === 'zset') facets.set(key, (await fx.redis.zrange(key, 0, '-1')).sort());
      else if (type === 'hash') hashes.push((await fx.redis.hget(key, 'id'))!);
    }
    return { facets, hashes: hashes.sort() };
  }

  /** The facets each kept entry must be in, and nothing else. */
  function expectedFacets(kept: Spec[]): Map<string, string[]> {
    const expected = new Map<string, string[]>();
    const add = (key: string, id: string) => expected.set(key, [...(expected.get(key) ?? []), id].sort());
    for (const s of kept) {
      const status = s.history[s.history.length - 1]!.status;
      add(index.facetKey('all'), s.id);
      add(index.facetKey('tenant', s.tenantId), s.id);
      add(index.facetKey('kind', s.kind), s.id);
      add(index.facetKey('status', status), s.id);
      const model = s.kind === 'model' ? s.id : s.modelId;
      if (model) add(index.facetKey('model', model), s.id);
    }
    return expected;
  }

  async function searchAll(query: JobSearchQuery): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await index.search({ ...query, limit: 3, cursor });
      ids.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }

  it('removes old entries from every facet and deletes their hashes in bounded batches; recent ones stay intact', async () => {
    const kept = specs.filter((s) => lastAt(s) >= CUTOFF);
    const result = await new JobIndexRetention(fx.redis, keySpace).pruneOlderThan(CUTOFF, { batchSize: 7 });

    expect(result).toEqual({ removed: specs.length - kept.length, skipped: 0, batches: 6 });
    const after = await snapshot();
    expect(after.hashes).toEqual(kept.map((s) => s.id).sort());
    // Sorted sets that became empty disappear; the others hold exactly the kept entries.
    expect(Object.fromEntries(after.facets)).toEqual(Object.fromEntries(expectedFacets(kept)));
    // A second run finds nothing to do.
    expect(await new JobIndexRetention(fx.redis, keySpace).pruneOlderThan(CUTOFF)).toEqual({
      removed: 0,
      skipped: 0,
      batches: 0,
    });
  });

  it('answers searches after pruning exactly as an index of the recent entries alone would', async () => {
    await new JobIndexRetention(fx.redis, keySpace).pruneOlderThan(CUTOFF, { batchSize: 5 });
    const kept = specs.filter((s) => lastAt(s) >= CUTOFF).sort((a, b) => lastAt(b) - lastAt(a));
    const queries: Array<[JobSearchQuery, (s: Spec) => boolean]> = [
      [{}, () => true],
      [{ tenant: 'acme' }, (s) => s.tenantId === 'acme'],
      [{ model: 'mdl_m1' }, (s) => s.modelId === 'mdl_m1'],
      [{ status: 'failed', kind: 'generation' }, (s) => s.kind === 'generation' && s.history[1]!.status === 'failed'],
      [{ since: 1 }, () => true],
      [{ status: 'queued' }, (s) => s.history[1]!.status === 'queued'],
    ];
    for (const [query, matches] of queries) {
      expect({ query, ids: await searchAll(query) }).toEqual({ query, ids: kept.filter(matches).map((s) => s.id) });
    }
    const old = specs.find((s) => lastAt(s) < CUTOFF)!;
    expect(await index.get(old.id)).toBeUndefined();
  });

  it('is idempotent across concurrent pruners and keeps entries the indexer refreshes while it runs', async () => {
    const other = fx.redis.duplicate();
    try {
      // Old entries that get a new event during pruning: they must survive whole, in their new status facet.
      const refreshed = specs.filter((s) => lastAt(s) < CUTOFF).filter((_, i) => i % 4 === 0);
      const refresh = (async () => {
        for (const s of refreshed) {
          s.history.push({ at: CUTOFF + 50_000, status: 'canceled' });
          await index.apply(eventsOf(s)[2]!);
        }
      })();
      const [a, b] = await Promise.all([
        new JobIndexRetention(fx.redis, keySpace).pruneOlderThan(CUTOFF, { batchSize: 3 }),
        new JobIndexRetention(other, keySpace).pruneOlderThan(CUTOFF, { batchSize: 4 }),
        refresh,
      ]);
      // Stragglers a pruner skipped (changed under it) are picked up by the next run.
      await new JobIndexRetention(fx.redis, keySpace).pruneOlderThan(CUTOFF);

      const kept = specs.filter((s) => lastAt(s) >= CUTOFF);
      const after = await snapshot();
      expect(after.hashes).toEqual(kept.map((s) => s.id).sort());
      expect(Object.fromEntries(after.facets)).toEqual(Object.fromEntries(expectedFacets(kept)));
      expect(a.removed + b.removed).toBeLessThanOrEqual(specs.length - kept.length + refreshed.length);
    } finally {
      other.disconnect();
    }
  });

  it('grants the prune lease to one holder until it expires', async () => {
    const retention = new JobIndexRetention(fx.redis, keySpace);
    expect(await retention.tryLease('worker-a', 60_000)).toBe(true);
    expect(await retention.tryLease('worker-b', 60_000)).toBe(false);
    await fx.redis.pexpire(keySpace.key('jobidx', 'prune-lease'), 1);
    const deadline = Date.now() + 2_000;
    let granted = false;
    while (!granted && Date.now() < deadline) granted = await retention.tryLease('worker-b', 60_000);
    expect(granted).toBe(true);
    expect(await fx.redis.get(keySpace.key('jobidx', 'prune-lease'))).toBe('worker-b');
  });
});
