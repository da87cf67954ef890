import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';

/** What GPU time was spent on: MME invocations for images, or async trainings. */
export const USAGE_KINDS = ['generate', 'train'] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

/** The resource an invocation served; its record carries the resource's own total (`gpuMs`). */
export type UsageResource = { kind: 'generation' | 'batch' | 'model'; id: string };

/** One invocation that ran on the GPU, as the worker measured it. */
export interface UsageEntry {
  /** Unique per invocation: a second `record` with the same id (a job run again) changes nothing. */
  invocationId: string;
  tenantId: string;
  modelId: string;
  kind: UsageKind;
  /** Milliseconds the invocation held the GPU (rounded to whole ms). */
  ms: number;
  /** Images the invocation returned (0 for a training). */
  images: number;
  resource: UsageResource;
}

export interface KindUsage {
  gpuMs: number;
  invocations: number;
  images: number;
}

export type UsageTotals = Record<UsageKind, KindUsage>;

export interface UsageLedgerOptions {
  /** How long per-day buckets are kept. @defaultValue 400 days */
  dayRetentionSeconds?: number;
  /** Dedupe lifetime for an invocation whose resource record has no TTL (models). @defaultValue 30 days */
  dedupeSeconds?: number;
}

/** Day buckets are UTC dates, `YYYY-MM-DD`. */
export const usageDay = (at: number): string => new Date(at).toISOString().slice(0, 10);

/**
 * The cost ledger: GPU milliseconds per tenant (all time and per UTC day), per tenant and model, and on the
 * generation or batch record, each moved by one script per invocation (`record-usage-6.lua`) that also
 * remembers the invocation's id, so counting is exactly once per invocation id.
 */
export class UsageLedger {
  private readonly dayRetentionSeconds: number;
  private readonly dedupeSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    options: UsageLedgerOptions = {},
  ) {
    this.dayRetentionSeconds = options.dayRetentionSeconds ?? 400 * 24 * 3600;
    this.dedupeSeconds = options.dedupeSeconds ?? 30 * 24 * 3600;
  }

  private totalsKey(tenantId: string): string {
    return this.keySpace.key('usage', tenantId);
  }

  private modelsKey(tenantId: string): string {
    return this.keySpace.key('usage', tenantId, 'models');
  }

  private dayKey(tenantId: string, day: string): string {
    return this.keySpace.key('usage', tenantId, 'day', day);
  }

  private tenantsKey(): string {
    return this.keySpace.key('usage', 'tenants');
  }

  /** Records one invocation; false when its id was already recorded. */
  async record(entry: UsageEntry, at = Date.now()): Promise<boolean> {
    // The records' own keys (`<kind>:<tenant>:<id>`, as GenerationStore, BatchStore and ModelStore build them).
    const record = this.keySpace.key(entry.resource.kind, entry.tenantId, entry.resource.id);
    const applied = await runScript<number>(
      this.redis,
      'record-usage-6',
      [
        record,
        `${record}:usage`,
        this.totalsKey(entry.tenantId),
        this.modelsKey(entry.tenantId),
        this.dayKey(entry.tenantId, usageDay(at)),
        this.tenantsKey(),
      ],
      [
        entry.invocationId,
        entry.tenantId,
        entry.kind,
        entry.modelId,
        Math.max(0, Math.round(entry.ms)),
        entry.images,
        this.dayRetentionSeconds,
        this.dedupeSeconds,
      ],
    );
    return applied === 1;
  }

  /** A tenant's usage since recording began. */
  async totals(tenantId: string): Promise<UsageTotals> {
    return totalsFrom(await this.redis.hgetall(this.totalsKey(tenantId)));
  }

  /** A tenant's usage per model (models that never used the GPU are absent). */
  async models(tenantId: string): Promise<{ modelId: string; usage: UsageTotals }[]> {
    const hash = await this.redis.hgetall(this.modelsKey(tenantId));
    const byModel = new Map<string, Record<string, string>>();
    for (const [field, value] of Object.entries(hash)) {
      const cut = field.indexOf(':');
      const modelId = field.slice(0, cut);
      const fields = byModel.get(modelId) ?? {};
      fields[field.slice(cut + 1)] = value;
      byModel.set(modelId, fields);
    }
    return [...byModel.entries()]
      .map(([modelId, fields]) => ({ modelId, usage: totalsFrom(fields) }))
      .sort((a, b) => a.modelId.localeCompare(b.modelId));
  }

  /** A tenant's usage per UTC day, `from` to `to` inclusive (`YYYY-MM-DD`), days without usage included. */
  async days(tenantId: string, from: string, to: string): Promise<{ date: string; usage: UsageTotals }[]> {
    const dates = daysBetween(from, to);
    if (dates.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const date of dates) pipeline.hgetall(this.dayKey(tenantId, date));
    const replies = (await pipeline.exec()) ?? [];
    return dates.map((date, i) => {
      const [err, hash] = replies[i] ?? [null, {}];
      if (err) throw err;
      return { date, usage: totalsFrom(hash as Record<string, string>) };
    });
  }

  /** Tenants by total GPU time, largest first: `limit` of them from `offset`, and how many there are. */
  async tenants(
    offset: number,
    limit: number,
  ): Promise<{ page: { tenantId: string; gpuMs: number }[]; count: number }> {
    const [flat, count] = await Promise.all([
      this.redis.zrevrange(this.tenantsKey(), offset, offset + limit - 1, 'WITHSCORES'),
      this.redis.zcard(this.tenantsKey()),
    ]);
    const page: { tenantId: string; gpuMs: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) page.push({ tenantId: flat[i]!, gpuMs: Number(flat[i + 1]) });
    return { page, count };
  }
}

function totalsFrom(hash: Record<string, string>): UsageTotals {
  const kind = (k: UsageKind): KindUsage => ({
    gpuMs: Number(hash[`${k}:ms`] ?? 0),
    invocations: Number(hash[`${k}:invocations`] ?? 0),
    images: Number(hash[`${k}:images`] ?? 0),
  });
  return { generate: kind('generate'), train: kind('train') };
}

const DAY_MS = 24 * 3600 * 1000;

/** Every UTC date from `from` to `to` inclusive; empty when `to` is before `from`. */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) throw new Error(`Invalid day range ${from}..${to}`);
  const out: string[] = [];
  for (let t = start; t <= end; t += DAY_MS) out.push(usageDay(t));
  return out;
}
