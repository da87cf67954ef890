import { hostname } from 'node:os';
import { type Redis } from 'ioredis';
import { type Logger } from '@dreamqueue/logger';
import { type StoredEvent } from '@dreamqueue/records';

/**
 * A durable consumer of the deployment-wide event stream, through a Redis consumer group:
 * every event is handed to exactly one worker process of the group (so counters summed across instances
 * are right), acknowledged only after the handler succeeded (at least once; handlers are idempotent),
 * re-read after a crash from the consumer's pending list, and taken over from a dead consumer with
 * XAUTOCLAIM once it has been pending for `claimIdleMs`.
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
}

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
          // Entries claimed but failing stay pending under this consumer: re-read them from id 0.
          if (await this.claimAbandoned()) cursor = '0';
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

  private async read(cursor: string): Promise<Array<[string, string[]]>> {
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

  private async claimAbandoned(): Promise<boolean> {
    const { redis, group, stream, claimIdleMs = 60_000 } = this.options;
    const reply = (await redis.xautoclaim(stream, group, this.consumer, claimIdleMs, '0', 'COUNT', 100)) as [
      string,
      Array<[string, string[]]>,
    ];
    return this.handleAll(reply[1] ?? []);
  }

  /** Handles entries in order; stops at the first failure (left pending, retried later). */
  private async handleAll(entries: Array<[string, string[]] | null>): Promise<boolean> {
    for (const entry of entries) {
      if (!entry) continue; // XAUTOCLAIM/XREADGROUP return null for entries trimmed from the stream
      const [id, fields] = entry;
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
