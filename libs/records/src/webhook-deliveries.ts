import { type Redis } from 'ioredis';
import { type KeySpace } from '@dreamqueue/redis';
import { type StoredEvent } from './event-log';

/**
 * One record per webhook delivery, keyed by the event's deployment-wide stream id (which is also the
 * `webhook-id` header and the `webhooks` job id). It holds the event itself, so a delivery survives the
 * stream being trimmed and can be redelivered by an operator; `dead` deliveries are also listed in a
 * sorted set (the dead-letter view).
 */
export type DeliveryState = 'pending' | 'delivered' | 'dead' | 'skipped';

export interface WebhookDelivery {
  eventId: string;
  tenantId: string;
  resourceId: string;
  type: string;
  event: StoredEvent;
  state: DeliveryState;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  createdAt: number;
  updatedAt: number;
}

export class WebhookDeliveries {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    /** @defaultValue 30 days */
    private readonly ttlSeconds = 30 * 24 * 3600,
  ) {}

  private key(eventId: string): string {
    return this.keySpace.key('webhook-delivery', eventId);
  }

  deadKey(): string {
    return this.keySpace.key('webhook-dead');
  }

  /** Records a delivery for this event unless one exists (a replayed event changes nothing). */
  async create(event: StoredEvent): Promise<boolean> {
    const now = String(Date.now());
    const created = await this.redis.hsetnx(this.key(event.id), 'event', JSON.stringify(event));
    if (created === 1) {
      await this.redis
        .multi()
        .hset(this.key(event.id), {
          eventId: event.id,
          tenantId: event.tenantId,
          resourceId: event.resourceId,
          type: event.type,
          state: 'pending',
          attempts: '0',
          createdAt: now,
          updatedAt: now,
        })
        .expire(this.key(event.id), this.ttlSeconds)
        .exec();
    }
    return created === 1;
  }

  async get(eventId: string): Promise<WebhookDelivery | undefined> {
    const raw = await this.redis.hgetall(this.key(eventId));
    if (!raw.event || !raw.eventId) return undefined;
    return {
      eventId: raw.eventId,
      tenantId: raw.tenantId!,
      resourceId: raw.resourceId!,
      type: raw.type!,
      event: JSON.parse(raw.event) as StoredEvent,
      state: raw.state as DeliveryState,
      attempts: Number(raw.attempts ?? 0),
      ...(raw.lastStatus ? { lastStatus: Number(raw.lastStatus) } : {}),
      ...(raw.lastError ? { lastError: raw.lastError } : {}),
      createdAt: Number(raw.createdAt),
      updatedAt: Number(raw.updatedAt),
    };
  }

  async recordAttempt(
    eventId: string,
    state: DeliveryState,
    outcome: { status?: number; error?: string },
  ): Promise<void> {
    const multi = this.redis
      .multi()
      .hincrby(this.key(eventId), 'attempts', 1)
      .hset(this.key(eventId), {
        state,
        updatedAt: String(Date.now()),
        lastStatus: String(outcome.status ?? 0),
        lastError: outcome.error ?? '',
      });
    if (state === 'dead') multi.zadd(this.deadKey(), Date.now(), eventId);
    else multi.zrem(this.deadKey(), eventId);
    await multi.exec();
  }

  async markSkipped(eventId: string, reason: string): Promise<void> {
    await this.redis.hset(this.key(eventId), { state: 'skipped', lastError: reason, updatedAt: String(Date.now()) });
  }

  /** Back to pending for an operator's redelivery. */
  async reopen(eventId: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(eventId), { state: 'pending', updatedAt: String(Date.now()) })
      .zrem(this.deadKey(), eventId)
      .exec();
  }

  /** Dead deliveries, newest first. */
  async listDead(limit = 50): Promise<WebhookDelivery[]> {
    const ids = await this.redis.zrange(this.deadKey(), '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, limit);
    const rows = await Promise.all(ids.map((id) => this.get(id)));
    return rows.filter((r): r is WebhookDelivery => r !== undefined);
  }
}
