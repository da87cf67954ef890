import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';
import { type ResourceType, type StoredEvent } from './event-log';

/**
 * A side index of every model, generation and batch, for the operator search Bull Board lacks
 * ("find the jobs of tenant X on model Y that failed since Monday").
 *
 * Layout (all keys share the deployment hash tag, so it works on Redis Cluster):
 * - `jobidx:e:<id>`: a hash per entry (kind, tenant, model, status, times, last event id);
 * - `jobidx:all`, `jobidx:tenant:<t>`, `jobidx:model:<m>`, `jobidx:status:<s>`, `jobidx:kind:<k>`:
 *   sorted sets of entry ids scored by the time of the entry's last status change.
 *
 * Writes come from the worker's indexer (at least once), so `apply` is idempotent: an event no newer than
 * the one the entry last saw changes nothing. Queries walk the most selective facet newest-first and keep
 * the ids that are also members of the other requested facets (ZMSCORE).
 */
export interface JobIndexEntry {
  id: string;
  kind: ResourceType;
  tenantId: string;
  modelId?: string;
  status: string;
  /** The last event's type, e.g. `generation.failed`. */
  type: string;
  createdAt: number;
  updatedAt: number;
  /** Deployment-wide stream id of the last event applied. */
  eventId: string;
}

export interface JobSearchQuery {
  tenant?: string;
  model?: string;
  status?: string;
  kind?: ResourceType;
  /** Only entries changed at or after this time (epoch ms). */
  since?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** @defaultValue 50 */
  limit?: number;
}

export interface JobSearchPage {
  entries: JobIndexEntry[];
  /** Present when more entries may match; pass it back as `cursor`. */
  nextCursor?: string;
}

/** How many facet members one query inspects at most before answering with a cursor. */
const SCAN_BUDGET = 20_000;
const CHUNK = 500;

export class JobIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
  ) {}

  entryKey(id: string): string {
    return this.keySpace.key('jobidx', 'e', id);
  }

  facetKey(facet: 'all' | 'tenant' | 'model' | 'status' | 'kind', value = ''): string {
    return facet === 'all' ? this.keySpace.key('jobidx', 'all') : this.keySpace.key('jobidx', facet, value);
  }

  /** Applies one status-change event; returns false when the entry already reflects a newer event. */
  async apply(event: StoredEvent): Promise<boolean> {
    const score = String(Number(event.id.split('-')[0]));
    for (let attempt = 0; attempt < 5; attempt++) {
      const [oldStatus, storedModel] = await this.redis.hmget(this.entryKey(event.resourceId), 'status', 'modelId');
      const modelId = modelOf(event) ?? storedModel ?? '';
      const keys = [
        this.entryKey(event.resourceId),
        this.facetKey('all'),
        this.facetKey('tenant', event.tenantId),
        this.facetKey('kind', event.resource),
        this.facetKey('status', event.status),
        this.facetKey('status', oldStatus ?? event.status),
        modelId ? this.facetKey('model', modelId) : this.entryKey(event.resourceId),
      ];
      const args = [
        event.resourceId,
        event.id,
        score,
        oldStatus ?? '',
        event.status,
        event.type,
        event.resource,
        event.tenantId,
        modelId,
      ];
      // Check-and-set: -1 means the entry's status changed since it was read (retry).
      const result = await runScript<number>(this.redis, 'upsert-job-index-entry-7', keys, args);
      if (result !== -1) return result === 1;
    }
    throw new Error(`job index entry ${event.resourceId} kept changing; giving up after 5 attempts`);
  }

  /** The model an entry is already filed under, if any (saves the indexer a resource lookup). */
  async storedModel(id: string): Promise<string | undefined> {
    return (await this.redis.hget(this.entryKey(id), 'modelId')) ?? undefined;
  }

  async get(id: string): Promise<JobIndexEntry | undefined> {
    return toEntry(await this.redis.hgetall(this.entryKey(id)));
  }

  async search(query: JobSearchQuery): Promise<JobSearchPage> {
    const limit = Math.max(1, Math.min(query.limit ?? 50, 500));
    const facets = this.facetsOf(query);
    const driver = await this.mostSelective(facets);
    const others = facets.filter((f) => f !== driver);
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const min = query.since !== undefined ? String(query.since) : '-inf';
    const max = after ? String(after.score) : '+inf';

    const matched: Array<{ id: string; score: number }> = [];
    let last: { id: string; score: number } | undefined;
    for (let offset = 0; offset < SCAN_BUDGET; offset += CHUNK) {
      const raw = await this.redis.zrange(driver, max, min, 'BYSCORE', 'REV', 'LIMIT', offset, CHUNK, 'WITHSCORES');
      const page = pairs(raw).filter(
        (m) => !after || m.score < after.score || (m.score === after.score && m.id < after.id),
      );
      const keep = await this.membersOfAll(
        others,
        page.map((m) => m.id),
      );
      for (let i = 0; i < page.length; i++) {
        if (matched.length === limit) return { entries: await this.load(matched), nextCursor: encodeCursor(last!) };
        last = page[i];
        if (keep[i]) matched.push(page[i]!);
      }
      if (raw.length / 2 < CHUNK) return { entries: await this.load(matched) };
    }
    // Scan budget spent: answer what matched so far, and a cursor that resumes after the last id inspected.
    return { entries: await this.load(matched), nextCursor: last ? encodeCursor(last) : undefined };
  }

  private facetsOf(query: JobSearchQuery): string[] {
    const facets: string[] = [];
    if (query.tenant) facets.push(this.facetKey('tenant', query.tenant));
    if (query.model) facets.push(this.facetKey('model', query.model));
    if (query.status) facets.push(this.facetKey('status', query.status));
    if (query.kind) facets.push(this.facetKey('kind', query.kind));
    return facets.length > 0 ? facets : [this.facetKey('all')];
  }

  private async mostSelective(facets: string[]): Promise<string> {
    if (facets.length === 1) return facets[0]!;
    const pipeline = this.redis.pipeline();
    for (const f of facets) pipeline.zcard(f);
    const sizes = ((await pipeline.exec()) ?? []).map(([, n]) => Number(n));
    let best = 0;
    sizes.forEach((n, i) => (n < sizes[best]! ? (best = i) : undefined));
    return facets[best]!;
  }

  /** For each id: is it a member of every other facet? One ZMSCORE per facet for the whole chunk. */
  private async membersOfAll(facets: string[], ids: string[]): Promise<boolean[]> {
    const keep = ids.map(() => true);
    if (facets.length === 0 || ids.length === 0) return keep;
    const pipeline = this.redis.pipeline();
    for (const f of facets) pipeline.zmscore(f, ...ids);
    for (const [, scores] of (await pipeline.exec()) ?? []) {
      (scores as (string | null)[]).forEach((s, i) => (s === null ? (keep[i] = false) : undefined));
    }
    return keep;
  }

  private async load(matched: Array<{ id: string }>): Promise<JobIndexEntry[]> {
    if (matched.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const m of matched) pipeline.hgetall(this.entryKey(m.id));
    const rows = (await pipeline.exec()) ?? [];
    return rows
      .map(([, raw]) => toEntry(raw as Record<string, string>))
      .filter((e): e is JobIndexEntry => e !== undefined);
  }
}

function modelOf(event: StoredEvent): string | undefined {
  if (event.resource === 'model') return event.resourceId;
  const fromData = event.data?.modelId;
  return typeof fromData === 'string' && fromData.length > 0 ? fromData : undefined;
}

function pairs(raw: string[]): Array<{ id: string; score: number }> {
  const out: Array<{ id: string; score: number }> = [];
  for (let i = 0; i < raw.length; i += 2) out.push({ id: raw[i]!, score: Number(raw[i + 1]) });
  return out;
}

function toEntry(raw: Record<string, string>): JobIndexEntry | undefined {
  if (!raw.id) return undefined;
  return {
    id: raw.id,
    kind: raw.kind as ResourceType,
    tenantId: raw.tenantId!,
    ...(raw.modelId ? { modelId: raw.modelId } : {}),
    status: raw.status!,
    type: raw.type!,
    createdAt: Number(raw.createdAt),
    updatedAt: Number(raw.updatedAt),
    eventId: raw.eventId!,
  };
}

export function encodeCursor(at: { id: string; score: number }): string {
  return Buffer.from(`${at.score}:${at.id}`).toString('base64url');
}

/** Throws a RangeError for anything that is not a cursor this index produced. */
export function decodeCursor(cursor: string): { id: string; score: number } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d+):([a-z]{3}_[a-z0-9]{1,40})$/.exec(text);
  if (!match) throw new RangeError('invalid cursor');
  return { score: Number(match[1]), id: match[2]! };
}
