import { type Logger } from '@dreamqueue/logger';
import { type AdaptiveLimiter } from '../adaptive-limiter';
import { type DispatchState } from './dispatch-state';
import { EndpointTimings } from './endpoint-timings';

export interface DispatcherOptions {
  /** Jobs released ahead of free slots per process (they wait in the worker, not in Redis). */
  lookahead: number;
  /** One instance's inference slots: the most invocations one model runs at once. */
  modelSlots: number;
  /** A group waiting longer than this goes first, whatever else is warm (no starvation). */
  maxWaitMs: number;
  /** Models the endpoint keeps, until learned from observed cold loads. */
  holdPrior: number;
  /** A warm-up call hangs up after this long: it only has to start the load. */
  warmupAbortMs: number;
  /** Cold-load time assumed until one is observed. */
  coldLoadPriorMs: number;
  /** How often each process re-runs the release step on its own (other processes' finishes, max waits). */
  tickMs: number;
}

export interface DispatcherPorts {
  state: DispatchState;
  limiter: AdaptiveLimiter;
  /** Moves a parked job to waiting; 'missing' when BullMQ no longer has it. */
  promote: (jobId: string) => Promise<'promoted' | 'missing' | 'not_parked'>;
  /** Sends a warm-up invocation for `targetModel` that gives up after `abortMs`. */
  warmUp: (targetModel: string, abortMs: number) => Promise<void>;
  processId: string;
  logger: Logger;
}

/**
 * The per-process half of model-aware dispatch. Batch jobs wait per (tenant, model) in Redis
 * (`DispatchState`); this class runs the release step — which jobs run next, which model to pre-warm —
 * whenever a job is admitted or an invocation ends (and on a timer), promotes the released jobs in BullMQ,
 * sends warm-ups, and holds a released job until its model has a free instance slot.
 */
export class ModelDispatcher {
  readonly timings: EndpointTimings;
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private capacity = { value: 0, at: 0 };
  private slotWaiters: (() => void)[] = [];

  constructor(
    private readonly ports: DispatcherPorts,
    readonly options: DispatcherOptions,
  ) {
    this.timings = new EndpointTimings(options.coldLoadPriorMs);
  }

  start(): void {
    this.timer = setInterval(() => this.pump(), this.options.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const wake of this.slotWaiters.splice(0)) wake();
  }

  /** Runs a release step soon; calls while one runs coalesce into one more. */
  pump(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.releaseLoop().finally(() => {
      this.running = false;
    });
  }

  /** Waits until `jobId` may start (its model below `modelSlots` running invocations). */
  async waitForModelSlot(jobId: string, targetModel: string, signal?: AbortSignal): Promise<void> {
    while (!(await this.ports.state.start(jobId, targetModel, this.options.modelSlots))) {
      if (signal?.aborted) throw new Error('The worker is closing');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.slotWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** An invocation of this process ended: wake jobs waiting for a model slot and release more work. */
  invocationEnded(): void {
    for (const wake of this.slotWaiters.splice(0)) wake();
    this.pump();
  }

  private async releaseLoop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.releaseOnce();
      } catch (err) {
        this.ports.logger.warn({ err }, 'dispatch release step failed; the next one retries');
      }
    } while (this.again);
  }

  private async releaseOnce(): Promise<void> {
    const now = Date.now();
    const { options, timings } = this;
    const capacity = await this.endpointCapacity(now);
    const invocationMs = timings.invocationMs ?? 10_000;
    // Start the next model's load early enough that it is ready when the running models drain.
    const prewarmAt = Math.ceil((capacity * timings.coldLoadMs) / invocationMs) + capacity;
    const { jobIds, warmup } = await this.ports.state.release({
      now,
      capacity,
      lookahead: options.lookahead,
      modelSlots: options.modelSlots,
      maxWaitMs: options.maxWaitMs,
      prewarmAt,
      holdPrior: options.holdPrior,
      loadingMs: 2 * timings.coldLoadMs + invocationMs,
    });
    if (warmup) {
      this.ports.logger.debug({ targetModel: warmup }, 'warming up the next model');
      void this.ports.warmUp(warmup, options.warmupAbortMs).catch(() => undefined);
    }
    await Promise.all(
      jobIds.map(async (jobId) => {
        const result = await this.ports.promote(jobId);
        if (result === 'missing') await this.ports.state.finish(jobId, '', 'forget');
      }),
    );
  }

  /** The endpoint's concurrency: the AIMD limits of the live worker processes, summed (refreshed each second). */
  private async endpointCapacity(now: number): Promise<number> {
    if (now - this.capacity.at >= 1_000) {
      const value = await this.ports.state.reportLimit(this.ports.processId, this.ports.limiter.limit, 15_000, now);
      this.capacity = { value: Math.max(1, value), at: now };
    }
    return this.capacity.value;
  }
}
