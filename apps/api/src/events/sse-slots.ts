import { type Redis } from 'ioredis';
import { type KeySpace } from '@dreamqueue/redis';

// Drop expired slots, then take one if fewer than ARGV[2] are held. A slot is a member scored by its expiry.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

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
    const ok = await this.redis.eval(
      ACQUIRE,
      1,
      this.key(tenantId),
      String(now),
      String(this.maxPerTenant),
      String(now + this.ttlMs),
      connectionId,
      String(this.ttlMs),
    );
    return ok === 1;
  }

  async refresh(tenantId: string, connectionId: string): Promise<void> {
    await this.redis.zadd(this.key(tenantId), 'XX', Date.now() + this.ttlMs, connectionId);
  }

  async release(tenantId: string, connectionId: string): Promise<void> {
    await this.redis.zrem(this.key(tenantId), connectionId);
  }
}
