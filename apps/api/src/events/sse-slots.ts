import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';

/**
 * Concurrent Server-Sent Events connections per tenant, counted across every API instance. Each open
 * stream holds a slot that its heartbeat keeps alive; a crashed instance's slots expire after `ttlMs`.
 */
export class SseSlots {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    private readonly maxPerTenant: number,
    private readonly ttlMs: number,
  ) {}

  private key(tenantId: string): string {
    return this.keySpace.key('sse-slots', tenantId);
  }

  async acquire(tenantId: string, connectionId: string): Promise<boolean> {
    const now = Date.now();
    const ok = await runScript<number>(
      this.redis,
      'acquire-sse-slot-1',
      [this.key(tenantId)],
      [now, this.maxPerTenant, now + this.ttlMs, connectionId, this.ttlMs],
    );
    return ok === 1;
  }

  /** Extends this slot and the tenant's key: a key left to expire would drop every open stream's slot at once. */
  async refresh(tenantId: string, connectionId: string): Promise<void> {
    const key = this.key(tenantId);
    await this.redis
      .multi()
      .zadd(key, 'XX', Date.now() + this.ttlMs, connectionId)
      .pexpire(key, this.ttlMs)
      .exec();
  }

  async release(tenantId: string, connectionId: string): Promise<void> {
    await this.redis.zrem(this.key(tenantId), connectionId);
  }
}
