import { hostname } from 'node:os';
import { type Logger } from '@dreamqueue/logger';
import { type JobIndexRetention, type PruneResult } from '@dreamqueue/records';

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
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopping = false;

  constructor(private readonly options: JobIndexPrunerOptions) {}

  start(): void {
    if (this.timer || this.stopping) return;
    // First run soon after start (not at once: start-up is busy), then every interval.
    this.schedule(Math.min(this.options.intervalMs, 5_000));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One run if this process gets the lease; undefined when another process holds it. */
  async runOnce(): Promise<PruneResult | undefined> {
    const { retention, intervalMs, logger, batchSize } = this.options;
    const holder = this.options.holder ?? `${hostname()}-${process.pid}`;
    if (!(await retention.tryLease(holder, intervalMs))) return undefined;
    const cutoff = (this.options.now ?? Date.now)() - this.options.retentionMs;
    const result = await retention.pruneOlderThan(cutoff, { batchSize, shouldStop: () => this.stopping });
    if (result.removed > 0 || result.skipped > 0)
      logger.info({ ...result, cutoff: new Date(cutoff).toISOString() }, 'job index pruned');
    return result;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((err: unknown) => this.options.logger.warn({ err }, 'job index prune failed; retrying next interval'))
        .finally(() => {
          if (!this.stopping) this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
