import { type Redis } from 'ioredis';
import { type KeySpace } from '@dreamqueue/redis';

export type ActiveKind = 'model' | 'generation' | 'batch';

export interface ActiveRef {
  kind: ActiveKind;
  tenantId: string;
  id: string;
  /** Epoch ms of the resource's last recorded change (or the reconciler's last look at it). */
  updatedAt: number;
}

export const activeIndexKey = (keySpace: KeySpace, kind: ActiveKind) => keySpace.key('active', kind);

/**
 * Which resources are not finished yet: one sorted set per kind, members `<tenantId>/<id>`, scored by the
 * time of their last change. The stores add a resource when it is created or (re)started and remove it on
 * its terminal transition, in the same atomic write as the status change, so the reconciler can find
 * resources that stopped moving without scanning every record.
 */
export class ActiveIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
  ) {}

  key(kind: ActiveKind): string {
    return activeIndexKey(this.keySpace, kind);
  }

  static member(tenantId: string, id: string): string {
    return `${tenantId}/${id}`;
  }

  /** Up to `limit` resources whose last change is at or before `before`, oldest first. */
  async due(kind: ActiveKind, before: number, limit: number): Promise<ActiveRef[]> {
    const rows = await this.redis.zrangebyscore(
      this.key(kind),
      '-inf',
      String(before),
      'WITHSCORES',
      'LIMIT',
      0,
      limit,
    );
    const refs: ActiveRef[] = [];
    for (let i = 0; i + 1 < rows.length; i += 2) {
      const member = rows[i]!;
      const slash = member.indexOf('/');
      refs.push({
        kind,
        tenantId: member.slice(0, slash),
        id: member.slice(slash + 1),
        updatedAt: Number(rows[i + 1]),
      });
    }
    return refs;
  }

  /** Re-scores a resource that is still listed (never re-adds one a terminal transition removed meanwhile). */
  async touch(kind: ActiveKind, tenantId: string, id: string, at = Date.now()): Promise<void> {
    await this.redis.zadd(this.key(kind), 'XX', 'GT', at, ActiveIndex.member(tenantId, id));
  }

  async remove(kind: ActiveKind, tenantId: string, id: string): Promise<void> {
    await this.redis.zrem(this.key(kind), ActiveIndex.member(tenantId, id));
  }

  async size(kind: ActiveKind): Promise<number> {
    return this.redis.zcard(this.key(kind));
  }
}
