import { type ChainableCommander, type Redis } from 'ioredis';
import { type KeySpace } from '@dreamqueue/redis';

/**
 * The durable record of every status change a tenant can observe. Server-Sent Events, webhooks and
 * audits read from here — never from BullMQ's QueueEvents, which are best effort and trimmed.
 * One Redis stream per tenant (stream ids are the SSE `Last-Event-ID`), and one deployment-wide stream that
 * durable consumers (the webhook dispatcher, the job-search indexer) read with a consumer group.
 */
export type ResourceType = 'model' | 'generation' | 'batch';

export interface ResourceEvent {
  /** e.g. `model.ready`, `generation.succeeded`, `batch.progress`. */
  type: string;
  resource: ResourceType;
  resourceId: string;
  status: string;
  /** Small, non-secret details (counts, failure reason). Never URLs or keys. */
  data?: Record<string, unknown>;
}

export interface StoredEvent extends ResourceEvent {
  id: string;
  tenantId: string;
  at: string;
}

export interface EventLogOptions {
  /** Approximate events kept per tenant. @defaultValue 10000 */
  maxLen?: number;
}

export class EventLog {
  private readonly maxLen: number;

  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    options: EventLogOptions = {},
  ) {
    this.maxLen = options.maxLen ?? 10_000;
  }

  streamKey(tenantId: string): string {
    return this.keySpace.key('events', tenantId);
  }

  /** Every tenant's events, for deployment-wide consumers. Entries carry the tenant id. */
  globalStreamKey(): string {
    return this.keySpace.key('events-all');
  }

  /**
   * Appends to a MULTI when one is given, so a status change and its event commit together;
   * otherwise writes at once and returns the stream id.
   */
  append(tenantId: string, event: ResourceEvent, multi: ChainableCommander): void;
  append(tenantId: string, event: ResourceEvent): Promise<string | null>;
  append(tenantId: string, event: ResourceEvent, multi?: ChainableCommander): Promise<string | null> | void {
    const fields = ['e', this.encode(tenantId, event)];
    const key = this.streamKey(tenantId);
    const tx = multi ?? this.redis.multi();
    tx.xadd(key, 'MAXLEN', '~', String(this.maxLen), '*', ...fields);
    tx.xadd(this.globalStreamKey(), 'MAXLEN', '~', String(this.maxLen * 10), '*', ...fields);
    if (multi) return;
    return tx.exec().then((replies) => (replies?.[0]?.[1] as string | null) ?? null);
  }

  /** The stream entry's payload; Lua callers (compare-and-set stores) write it with field `e`. */
  encode(tenantId: string, event: ResourceEvent): string {
    return JSON.stringify({ ...event, tenantId, at: new Date().toISOString() });
  }

  /** Approximate entries kept per tenant stream (the global stream keeps ten times as many). */
  get maxLength(): number {
    return this.maxLen;
  }

  /** Events strictly after `afterId` (`0` for the start), oldest first. */
  async readAfter(tenantId: string, afterId = '0', count = 100): Promise<StoredEvent[]> {
    const rows = await this.redis.xrange(this.streamKey(tenantId), `(${afterId}`, '+', 'COUNT', count);
    return rows.map(([id, fields]) => toStoredEvent(tenantId, id, fields));
  }
}

export function toStoredEvent(tenantId: string, id: string, fields: string[]): StoredEvent {
  const body = JSON.parse(fields[1] ?? '{}') as ResourceEvent & { at: string };
  return { ...body, id, tenantId };
}
