import { type Logger } from '@dreamqueue/logger';

export interface AdaptiveLimiterOptions {
  /** Permits at start. */
  initial: number;
  /** @defaultValue 1 */
  min?: number;
  /** Never more than the worker's concurrency (permits beyond it could never be used). */
  max: number;
  logger?: Logger;
}

export type InvocationOutcome = 'success' | 'throttled' | 'neutral';

/**
 * An AIMD concurrency gate in front of the multi-model endpoint: each invocation holds a permit; a
 * throttling answer halves the permits (at most once per round trip: only a call that started after the
 * last decrease can cause another), and each success adds 1/limit, so the limit grows by about one per
 * round of successful calls. It settles just under the endpoint's real capacity, shared fairly between
 * worker processes that all see the same throttling.
 */
export class AdaptiveLimiter {
  private value: number;
  private readonly min: number;
  private readonly max: number;
  private active = 0;
  private lastDecreaseAt = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly options: AdaptiveLimiterOptions) {
    this.min = Math.max(1, options.min ?? 1);
    this.max = Math.max(this.min, options.max);
    this.value = Math.min(this.max, Math.max(this.min, options.initial));
  }

  /** Current permit count (what the metrics endpoint reports). */
  get limit(): number {
    return Math.floor(this.value);
  }

  get inFlight(): number {
    return this.active;
  }

  /** Waits for a permit; returns the start time to hand back to `release`. */
  async acquire(): Promise<number> {
    while (this.active >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.active += 1;
    return Date.now();
  }

  release(startedAt: number, outcome: InvocationOutcome): void {
    this.active -= 1;
    const before = this.limit;
    if (outcome === 'throttled' && startedAt >= this.lastDecreaseAt) {
      this.value = Math.max(this.min, this.value / 2);
      this.lastDecreaseAt = Date.now();
    } else if (outcome === 'success') {
      this.value = Math.min(this.max, this.value + 1 / this.value);
    }
    if (this.limit !== before)
      this.options.logger?.info({ limit: this.limit, previous: before, outcome }, 'generate concurrency limit changed');
    this.wake();
  }

  private wake(): void {
    let free = this.limit - this.active;
    while (free-- > 0 && this.waiters.length > 0) this.waiters.shift()!();
  }
}
