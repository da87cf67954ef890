import { type Redis } from 'ioredis';
import {
  QUOTA_NAMES,
  quotaScriptArgs,
  tenantQuotaKeys,
  throwIfQuotaRefused,
  type QuotaLimits,
  type QuotaName,
} from '@dreamqueue/records';
import { runScript, type KeySpace } from '@dreamqueue/redis';

/** One quota as a tenant or an admin sees it. `limit: null` is unlimited. */
export interface QuotaState {
  limit: number | null;
  /** Where the limit comes from: the tenant's own value, the operator default, or none (unlimited). */
  source: 'tenant' | 'default' | 'none';
  usage: number;
}

export type QuotaView = Record<QuotaName, QuotaState>;

/** A partial change to a tenant's limits: a number sets it, `null` clears it (back to the default). */
export type QuotaUpdate = Partial<Record<QuotaName, number | null>>;

/** What an intake is about to ask for. */
export interface QuotaRequest {
  items?: number;
  trainings?: number;
  images?: number;
}

/**
 * The API's side of tenant quotas: admins read and set a tenant's limits, tenants read theirs, and an intake
 * asks early whether a request can fit (before it reads an upload or stores anything). The check that
 * counts is the one inside each accept script; this early one only spares work that would be refused.
 */
export class TenantQuotas {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    readonly defaults: QuotaLimits = {},
  ) {}

  async view(tenantId: string): Promise<QuotaView> {
    const k = tenantQuotaKeys(this.keySpace, tenantId);
    const [items, trainings, images, usedItems, usedTrainings, usedImages] = await runScript<(string | number)[]>(
      this.redis,
      'read-tenant-quota-3',
      [k.limits, k.usage, k.images],
      [],
    );
    const usage: Record<QuotaName, number> = {
      queuedItems: Number(usedItems),
      concurrentTrainings: Number(usedTrainings),
      imagesPerMinute: Number(usedImages),
    };
    const own: Record<QuotaName, string | number | undefined> = {
      queuedItems: items,
      concurrentTrainings: trainings,
      imagesPerMinute: images,
    };
    return Object.fromEntries(
      QUOTA_NAMES.map((name) => [name, this.state(own[name], this.defaults[name], usage[name])]),
    ) as QuotaView;
  }

  /** Applies a partial update in one step; names not in it keep their value. */
  async set(tenantId: string, update: QuotaUpdate): Promise<void> {
    const key = tenantQuotaKeys(this.keySpace, tenantId).limits;
    const multi = this.redis.multi();
    for (const name of QUOTA_NAMES) {
      const value = update[name];
      if (value === null) multi.hdel(key, name);
      else if (value !== undefined) multi.hset(key, name, String(value));
    }
    await multi.exec();
  }

  /** Throws the quota error (429, or 422 when it can never fit) if the request would be refused now. */
  async precheck(tenantId: string, request: QuotaRequest): Promise<void> {
    const quota = quotaScriptArgs(this.keySpace, tenantId, this.defaults);
    const reply = await runScript<unknown>(this.redis, 'check-tenant-quota-3', quota.keys, [
      ...quota.args,
      request.items ?? 0,
      request.trainings ?? 0,
      request.images ?? 0,
    ]);
    throwIfQuotaRefused(reply);
  }

  private state(own: string | number | undefined, fallback: number | undefined, usage: number): QuotaState {
    if (own !== undefined && own !== '') return { limit: Number(own), source: 'tenant', usage };
    if (fallback !== undefined) return { limit: fallback, source: 'default', usage };
    return { limit: null, source: 'none', usage };
  }
}
