import { type Logger } from '@dreamqueue/logger';

export interface AdaptiveLimiterOptions {
  /** Permits at start. */
  initial: number;
  /** @defaultValue 1 */
  min?: number;
  /** Never more than the worker's concurrency (permits beyond it could never be used). */
  max: number;
  /**
   * Above the limit at which the endpoint last throttled, the limit grows by one at most once per this
   * interval (probing for added capacity) instead of by one per round of successes. @defaultValue 60 000
   */
  probeIntervalMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
  logger?: Logger;
}

export type InvocationOutcome = 'success' | 'throttled' | 'neutral';

/**
 * An AIMD concurrency gate in front of the multi-model endpoint: each invocation holds a permit; a
 * throttling answer halves the permits (at most once per round trip: only a call that started after the
 * last decrease can cause another), and each success adds 1/limit, so the limit grows by about one per
 * round of successful calls. The limit at which throttling happened is remembered as the ceiling: growth
 * back to just below it is fast, and beyond it one step per probe interval, so at steady state the gate
 * sits at the endpoint's capacity with about one throttle per interval instead of a saw-tooth of them.
 * Interactive callers take a free permit before batch callers waiting for one.
 */
export class AdaptiveLimiter {
  private value: number;
  private readonly min: number;
  private readonly max: number;
  private active = 0;
  private lastDecreaseAt = 0;
  /** Permits in use when the endpoint last throttled (the capacity seen then); Infinity until then. */
  private ceiling = Infinity;
  private lastProbeAt = 0;
  /** Grows while probes keep failing (throttled soon after a step up), so a full endpoint is rarely probed. */
  private probeIntervalMs: number;
  private probedAt: number | undefined;
  private readonly waiters: (() => void)[] = [];
  private readonly urgentWaiters: (() => void)[] = [];

  constructor(private readonly options: AdaptiveLimiterOptions) {
    this.min = Math.max(1, options.min ?? 1);
    this.max = Math.max(this.min, options.max);
    this.value = Math.min(this.max, Math.max(this.min, options.initial));
    this.probeIntervalMs = options.probeIntervalMs ?? 60_000;
  }

  /** Current permit count (what the metrics endpoint reports). */
  get limit(): number {
    return Math.floor(this.value);
  }

  /** The most permits it ever gives (the worker's concurrency): what the operator sized for the endpoint. */
  get maxLimit(): number {
    return this.max;
  }

  get inFlight(): number {
    return this.active;
  }

  /** Waits for a permit; returns the start time to hand back to `release`. `urgent` callers go first. */
  async acquire(urgent = false): Promise<number> {
    const queue = urgent ? this.urgentWaiters : this.waiters;
    while (this.active >= this.limit) await new Promise<void>((resolve) => queue.push(resolve));
    this.active += 1;
    return (this.options.now ?? Date.now)();
  }

  release(startedAt: number, outcome: InvocationOutcome): void {
    const inUse = this.active;
    this.active -= 1;
    const before = this.limit;
    const now = (this.options.now ?? Date.now)();
    if (outcome === 'throttled' && startedAt >= this.lastDecreaseAt) {
      // The endpoint refused the inUse-th concurrent call, so it holds about inUse - 1: go back there
      // (never below half, the classic decrease when many calls were already failing).
      this.value = Math.max(this.min, this.value / 2, Math.min(this.value, inUse - 1));
      this.ceiling = this.value;
      this.lastDecreaseAt = now;
      this.lastProbeAt = now;
      // A step up that was throttled: the endpoint is full; probe half as often (up to an hour).
      const base = this.options.probeIntervalMs ?? 60_000;
      if (this.probedAt !== undefined) this.probeIntervalMs = Math.min(this.probeIntervalMs * 2, 3_600_000, base * 64);
      this.probedAt = undefined;
    } else if (outcome === 'success') {
      if (this.value < this.ceiling) this.value = Math.min(this.ceiling, this.max, this.value + 1 / this.value);
      else if (now - this.lastProbeAt >= this.probeIntervalMs) {
        // A probe that survived a whole interval found capacity: probe at the base interval again.
        if (this.probedAt !== undefined) this.probeIntervalMs = this.options.probeIntervalMs ?? 60_000;
        this.value = Math.min(this.max, Math.floor(this.value) + 1);
        this.ceiling = this.value;
        this.lastProbeAt = now;
        this.probedAt = now;
      }
    }
    if (this.limit !== before)
      this.options.logger?.info({ limit: this.limit, previous: before, outcome }, 'generate concurrency limit changed');
    this.wake();
  }

  private wake(): void {
    let free = this.limit - this.active;
    while (free-- > 0 && this.urgentWaiters.length + this.waiters.length > 0) {
      (this.urgentWaiters.shift() ?? this.waiters.shift())!();
    }
  }
}
