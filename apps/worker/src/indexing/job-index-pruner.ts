import { hostname } from 'node:os';
import { type Logger } from '@dreamqueue/logger';
import { type JobIndexRetention, type PruneResult } from '@dreamqueue/records';
import { IntervalLoop } from '../interval-loop';

export interface JobIndexPrunerOptions {
  retention: JobIndexRetention;
  logger: Logger;
  /** Entries whose last status change is older than this are removed. */
  retentionMs: number;
  /** Time between runs; also the lease, so across all workers one run starts per interval. */
  intervalMs: number;
  /** @defaultValue 1000 */
  batchSize?: number;
  /** @defaultValue `<hostname>-<pid>` */
  holder?: string;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * The job-search index's retention loop. Every worker runs one; the shared lease (SET NX PX) lets one
 * of them prune per interval, and pruning itself is idempotent, so a lease that expires mid-run (a very
 * large backlog) only means two workers share the work.
 */
export class JobIndexPruner {
  private readonly loop: IntervalLoop;

  constructor(private readonly options: JobIndexPrunerOptions) {
    this.loop = new IntervalLoop(
      () => this.runOnce(),
      options.intervalMs,
      (err) => options.logger.warn({ err }, 'job index prune failed; retrying next interval'),
    );
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One run if this process gets the lease; undefined when another process holds it. */
  async runOnce(): Promise<PruneResult | undefined> {
    const { retention, intervalMs, logger, batchSize } = this.options;
    const holder = this.options.holder ?? `${hostname()}-${process.pid}`;
    if (!(await retention.tryLease(holder, intervalMs))) return undefined;
    const cutoff = (this.options.now ?? Date.now)() - this.options.retentionMs;
    const result = await retention.pruneOlderThan(cutoff, { batchSize, shouldStop: () => this.loop.stopping });
    if (result.removed > 0 || result.skipped > 0)
      logger.info({ ...result, cutoff: new Date(cutoff).toISOString() }, 'job index pruned');
    return result;
  }
}
