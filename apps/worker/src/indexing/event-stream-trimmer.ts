import { type Redis } from 'ioredis';
import { type Logger } from '@dreamqueue/logger';
import { trimAcknowledged, type StreamTrimResult } from '@dreamqueue/records';
import { IntervalLoop } from '../interval-loop';

export interface EventStreamTrimmerOptions {
  redis: Redis;
  stream: string;
  /** Entries kept once every consumer group has acknowledged them. */
  keep: number;
  intervalMs: number;
  logger: Logger;
}

/**
 * Keeps the deployment-wide event stream bounded behind its consumer groups (the webhook dispatcher, the
 * job-search indexer): every worker runs one; each trim is one atomic script, so runs that overlap are
 * harmless. A group that falls far behind holds the stream (it grows): that is logged, never dropped.
 */
export class EventStreamTrimmer {
  private readonly loop: IntervalLoop;

  constructor(private readonly options: EventStreamTrimmerOptions) {
    this.loop = new IntervalLoop(
      () => this.runOnce(),
      options.intervalMs,
      (err) => options.logger.warn({ err }, 'event stream trim failed; retrying next interval'),
    );
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  async runOnce(): Promise<StreamTrimResult> {
    const { redis, stream, keep, logger } = this.options;
    const result = await trimAcknowledged(redis, stream, keep);
    if (result.heldBy && result.length > 2 * keep)
      logger.warn(
        { stream, length: result.length, keep, group: result.heldBy },
        'event stream held by a consumer group that is behind; it grows until the group catches up',
      );
    return result;
  }
}
