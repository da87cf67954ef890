import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';

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

/** Stream keys (tenant, global) and arguments (maxLen, payload) of an event appended by a script. */
export interface EventScriptArgs {
  keys: [string, string];
  args: [string, string];
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

  /** Appends one event now and returns its tenant stream id. */
  async append(tenantId: string, event: ResourceEvent): Promise<string | null> {
    const { keys, args } = this.scriptArgs(tenantId, event);
    return runScript<string | null>(this.redis, 'append-event-2', keys, args);
  }

  /**
   * What a script that appends this event with the status change it belongs to (`--- @include
   * "append-event"`) is given: the two stream keys and (maxLen, payload). A status change and its event
   * commit together because one script writes both; the payload's format is owned here. `at`: when the
   * change happened, when the caller already has it as an ISO timestamp (a new record's `createdAt`).
   * @defaultValue now
   */
  scriptArgs(tenantId: string, event: ResourceEvent, at?: string): EventScriptArgs {
    return {
      keys: [this.streamKey(tenantId), this.globalStreamKey()],
      args: [String(this.maxLen), this.encode(tenantId, event, at)],
    };
  }

  /** No event: what a script whose event is optional is given (an empty payload). */
  noEventArgs(tenantId: string): EventScriptArgs {
    return { keys: [this.streamKey(tenantId), this.globalStreamKey()], args: [String(this.maxLen), ''] };
  }

  private encode(tenantId: string, event: ResourceEvent, at = new Date().toISOString()): string {
    // The same object as `{ ...event, tenantId, at }` (same keys, same order) without the spread-then-add
    // literal, which Node 20 runs on a slow path (see `queuedGeneration`).
    return JSON.stringify(Object.assign({}, event, { tenantId, at }));
  }

  /** Entries the global stream keeps once every consumer group has acknowledged them (`trimAcknowledged`). */
  get globalMaxLength(): number {
    return this.maxLen * 10;
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
