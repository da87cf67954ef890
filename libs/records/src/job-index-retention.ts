import { type Redis } from 'ioredis';
import { pipelineWithScripts, queueScript, type KeySpace } from '@dreamqueue/redis';
import { JobIndex } from './job-index';

/**
 * Retention for the job-search index: removes entries whose last status change is older than a cutoff
 * from every facet set and deletes their hashes.
 *
 * Work is bounded so Redis is never blocked: candidates come from the time-ordered `all` facet,
 * `batchSize` at a time (ZRANGE BYSCORE LIMIT), and each entry is removed by its own tiny script (`remove-job-index-entry-6.lua`) sent in
 * one pipeline per batch. The script re-checks the entry, so pruning is safe next to the indexer (an entry
 * that changed since it was read is left alone) and next to other pruners (removing twice is a no-op).
 */
export interface PruneResult {
  /** Entries removed from the facets (hash deleted). */
  removed: number;
  /** Candidates left in place because they changed while being pruned. */
  skipped: number;
  batches: number;
}

export interface PruneOptions {
  /** @defaultValue 1000 */
  batchSize?: number;
  /** Checked between batches; a pruner that is shutting down stops early. */
  shouldStop?: () => boolean;
}

const FIELDS = ['status', 'tenantId', 'modelId', 'kind'] as const;

export class JobIndexRetention {
  private readonly index: JobIndex;

  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
  ) {
    this.index = new JobIndex(redis, keySpace);
  }

  /**
   * Takes the deployment's prune lease for `ttlMs` (SET NX PX); false when another process holds it.
   * The lease is not released after a run: it spaces runs `ttlMs` apart across all workers.
   */
  async tryLease(holder: string, ttlMs: number): Promise<boolean> {
    const reply = await this.redis.set(this.keySpace.key('jobidx', 'prune-lease'), holder, 'PX', ttlMs, 'NX');
    return reply === 'OK';
  }

  /** Removes every entry last changed before `cutoff` (epoch ms), batch by batch. */
  async pruneOlderThan(cutoff: number, options: PruneOptions = {}): Promise<PruneResult> {
    const batchSize = options.batchSize ?? 1000;
    const total: PruneResult = { removed: 0, skipped: 0, batches: 0 };
    for (;;) {
      const ids = await this.redis.zrange(
        this.index.facetKey('all'),
        '-inf',
        `(${cutoff}`,
        'BYSCORE',
        'LIMIT',
        0,
        batchSize,
      );
      if (ids.length === 0) return total;
      const { removed, skipped } = await this.removeBatch(ids, cutoff);
      total.removed += removed;
      total.skipped += skipped;
      total.batches += 1;
      // A short batch was the last one; a batch that removed nothing would only be read again (retry next run).
      if (ids.length < batchSize || removed === 0 || options.shouldStop?.()) return total;
    }
  }

  private async removeBatch(ids: string[], cutoff: number): Promise<{ removed: number; skipped: number }> {
    const reads = this.redis.pipeline();
    for (const id of ids) reads.hmget(this.index.entryKey(id), ...FIELDS);
    const rows = ((await reads.exec()) ?? []).map(([err, values]) => {
      if (err) throw err;
      return values as Array<string | null>;
    });

    const removals = pipelineWithScripts(this.redis);
    ids.forEach((id, i) => {
      const [status, tenantId, modelId, kind] = rows[i]!.map((v) => v ?? '');
      const entry = this.index.entryKey(id);
      const keys = [
        entry,
        this.index.facetKey('all'),
        this.index.facetKey('tenant', tenantId),
        modelId ? this.index.facetKey('model', modelId) : entry,
        this.index.facetKey('status', status),
        this.index.facetKey('kind', kind),
      ];
      queueScript(removals, 'remove-job-index-entry-6', keys, [id, String(cutoff), status, tenantId, modelId, kind]);
    });
    let removed = 0;
    let skipped = 0;
    for (const [err, result] of (await removals.exec()) ?? []) {
      if (err) throw err;
      if (result === 1) removed += 1;
      else if (result !== 2) skipped += 1;
    }
    return { removed, skipped };
  }
}
