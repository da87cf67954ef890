import { hostname } from 'node:os';
import { type Redis } from 'ioredis';
import { type Logger } from '@dreamqueue/logger';
import { type StoredEvent } from '@dreamqueue/records';

/**
 * A durable consumer of the deployment-wide event stream, through a Redis consumer group:
 * every event is handed to exactly one worker process of the group (so counters summed across instances
 * are right), acknowledged only after the handler succeeded (at least once; handlers are idempotent),
 * re-read after a crash from the consumer's pending list, and taken over from a dead consumer with
 * XAUTOCLAIM once it has been pending for `claimIdleMs` (following XAUTOCLAIM's cursor through the whole
 * pending list). An entry that left the stream while still pending (trimmed or deleted) is reported to
 * `onLost`: the stream's trimmer never passes unacknowledged entries, so this means an operator's XDEL,
 * a Redis that lost data, or a group created after its events were written.
 */
export interface StreamConsumerOptions {
  /** A dedicated connection: XREADGROUP BLOCK holds it. The consumer disconnects it on stop. */
  redis: Redis;
  stream: string;
  group: string;
  handle(event: StoredEvent): Promise<void>;
  logger: Logger;
  /** Where a new group starts: `0` replays the retained stream (the indexer), `$` only new events (webhooks). */
  startAt: '0' | '$';
  /** @defaultValue `<hostname>-<pid>` */
  consumer?: string;
  /** @defaultValue 5000 */
  blockMs?: number;
  /** @defaultValue 100 */
  batch?: number;
  /** @defaultValue 60 000 */
  claimIdleMs?: number;
  /** Pause after a failed handler or a Redis error before reading again. @defaultValue 1000 */
  retryDelayMs?: number;
  /** Pending entries found gone from the stream (never handled); acknowledged so they stop being claimed. */
  onLost?: (ids: string[]) => void;
}

export interface ClaimPass {
  /** Entries taken over and handled. */
  handled: number;
  /** Entries that were pending but are no longer in the stream. */
  lost: string[];
  /** A handler failed: the entry and those after it stay pending under this consumer. */
  failed: boolean;
}

/** XAUTOCLAIM pages read per pass at most (each `batch` entries), so one pass stays short. */
const MAX_CLAIM_PAGES = 100;

type StreamReply = Array<[string, Array<[string, string[]]>]> | null;

export class StreamConsumer {
  private stopping = false;
  private loop?: Promise<void>;
  private readonly consumer: string;

  constructor(private readonly options: StreamConsumerOptions) {
    this.consumer = options.consumer ?? `${hostname()}-${process.pid}`;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.options.redis.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { logger, retryDelayMs = 1_000 } = this.options;
    let cursor = '0';
    let lastClaim = 0;
    while (!this.stopping) {
      try {
        await this.ensureGroup();
        if (Date.now() - lastClaim > (this.options.claimIdleMs ?? 60_000) / 2) {
          lastClaim = Date.now();
          // Entries claimed but failing stay pending under this consumer: re-read them from id 0, later.
          if ((await this.claimAbandoned()).failed) {
            cursor = '0';
            await delay(retryDelayMs);
            continue;
          }
        }
        const entries = await this.read(cursor);
        // Pending entries first (id 0); once this consumer's pending list is empty, new ones (`>`).
        if (cursor === '0' && entries.length === 0) cursor = '>';
        const failed = await this.handleAll(entries);
        if (failed) {
          cursor = '0';
          await delay(retryDelayMs);
        }
      } catch (err) {
        if (this.stopping) break;
        logger.warn(
          { err, stream: this.options.stream, group: this.options.group },
          'event stream read failed; retrying',
        );
        cursor = '0';
        await delay(retryDelayMs);
      }
    }
  }

  private groupReady = false;

  private async ensureGroup(): Promise<void> {
    if (this.groupReady) return;
    try {
      await this.options.redis.xgroup(
        'CREATE',
        this.options.stream,
        this.options.group,
        this.options.startAt,
        'MKSTREAM',
      );
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
    this.groupReady = true;
  }

  private async read(cursor: string): Promise<Array<[string, string[] | null]>> {
    const { redis, group, stream, batch = 100, blockMs = 5_000 } = this.options;
    try {
      const reply = (
        cursor === '>'
          ? await redis.xreadgroup(
              'GROUP',
              group,
              this.consumer,
              'COUNT',
              batch,
              'BLOCK',
              blockMs,
              'STREAMS',
              stream,
              cursor,
            )
          : await redis.xreadgroup('GROUP', group, this.consumer, 'COUNT', batch, 'STREAMS', stream, cursor)
      ) as StreamReply;
      return reply?.[0]?.[1] ?? [];
    } catch (err) {
      // A Redis that restarted without its data lost the group: create it again on the next turn.
      if (String((err as Error).message).includes('NOGROUP')) this.groupReady = false;
      throw err;
    }
  }

  /**
   * Takes over every entry pending longer than `claimIdleMs` under any consumer of the group (a dead
   * one's, and this one's own that keep failing), page by page along XAUTOCLAIM's cursor, and handles them.
   */
  async claimAbandoned(): Promise<ClaimPass> {
    const { redis, group, stream, claimIdleMs = 60_000, batch = 100 } = this.options;
    const pass: ClaimPass = { handled: 0, lost: [], failed: false };
    let start = '0-0';
    for (let page = 0; page < MAX_CLAIM_PAGES && !this.stopping; page++) {
      const [next, entries, deleted = []] = (await redis.xautoclaim(
        stream,
        group,
        this.consumer,
        claimIdleMs,
        start,
        'COUNT',
        batch,
      )) as [string, Array<[string, string[] | null] | null>, string[]?];
      // Redis 7 drops entries gone from the stream from the pending list and names them; 6.2 returns nulls.
      const lost = [...deleted, ...entries.filter((e) => e && !e[1]).map((e) => e![0])];
      if (lost.length > 0) await this.reportLost(lost, pass);
      const present = entries.filter((e): e is [string, string[]] => Boolean(e && e[1]));
      if (await this.handleAll(present)) return { ...pass, failed: true };
      pass.handled += present.length;
      if (next === '0-0') break;
      start = next;
    }
    return pass;
  }

  private async reportLost(ids: string[], pass: ClaimPass): Promise<void> {
    pass.lost.push(...ids);
    this.options.logger.error(
      { eventIds: ids.slice(0, 20), count: ids.length, stream: this.options.stream, group: this.options.group },
      'pending events are gone from the stream; they were never handled',
    );
    this.options.onLost?.(ids);
    await this.options.redis.xack(this.options.stream, this.options.group, ...ids);
  }

  /** Handles entries in order; stops at the first failure (left pending, retried later). */
  private async handleAll(entries: Array<[string, string[] | null] | null>): Promise<boolean> {
    for (const entry of entries) {
      if (!entry) continue;
      const [id, fields] = entry;
      if (!fields) {
        // XREADGROUP from the pending list names an entry that left the stream with a null body.
        await this.reportLost([id], { handled: 0, lost: [], failed: false });
        continue;
      }
      const event = parseEvent(id, fields);
      try {
        if (event) await this.options.handle(event);
        else this.options.logger.error({ eventId: id, stream: this.options.stream }, 'unreadable event skipped');
      } catch (err) {
        this.options.logger.warn({ err, eventId: id, group: this.options.group }, 'event handler failed; will retry');
        return true;
      }
      await this.options.redis.xack(this.options.stream, this.options.group, id);
    }
    return false;
  }
}

export function parseEvent(id: string, fields: string[]): StoredEvent | undefined {
  try {
    const body = JSON.parse(fields[fields.indexOf('e') + 1] ?? '') as StoredEvent;
    if (typeof body.tenantId !== 'string' || typeof body.resourceId !== 'string') return undefined;
    return { ...body, id };
  } catch {
    return undefined;
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
