import { type Logger } from '@dreamqueue/logger';
import { type AdaptiveLimiter } from '../adaptive-limiter';
import { type DispatchState } from './dispatch-state';
import { EndpointTimings } from './endpoint-timings';

/**
 * A warm-up's request reaches the endpoint's router within this long after the release step sent it (network
 * latency, not inference time): a lane held for a placement is let go after it.
 */
const WARM_UP_ROUTED_WITHIN_MS = 100;

export interface DispatcherOptions {
  /** Jobs released per lane (instance) ahead of its free slots (they wait in the worker, not in Redis). */
  lookahead: number;
  /** One instance's inference slots: the most invocations one lane (instance) runs at once. */
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

interface SlotWaiter {
  jobId: string;
  targetModel: string;
  /** Set when a finishing invocation of the same model gave this job its slot. */
  handedOver: boolean;
  wake: () => void;
}

export interface DispatcherPorts {
  state: DispatchState;
  limiter: AdaptiveLimiter;
  /** Moves a parked job to waiting; 'missing' when BullMQ no longer has it. */
  promote: (jobId: string) => Promise<'promoted' | 'missing' | 'not_parked'>;
  /** Sends a warm-up invocation for `targetModel` that gives up after `abortMs`. */
  warmUp: (targetModel: string, abortMs: number) => Promise<void>;
  /** Jobs in the generate queue that no worker has taken yet (not yet admitted, for batch work). */
  waiting: () => Promise<number>;
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
  private stopped = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private capacity = { value: 0, max: 0, at: 0 };
  private slotWaiters: SlotWaiter[] = [];
  /** Models whose lane is held for a placement, as of the last release step. */
  private held = new Set<string>();
  private gatherTimer: NodeJS.Timeout | undefined;
  /** The last release step held cold models back for a cold-start gather. */
  private gathering = false;

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

  /**
   * The worker is closing: no more release steps from this process (its running invocations finish and
   * stay counted as running), and its capacity leaves the endpoint's sum at once, so the other processes
   * do not release work for permits nobody will take.
   */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.gatherTimer);
    for (const waiter of this.slotWaiters.splice(0)) waiter.wake();
    void this.ports.state.forgetProcess(this.ports.processId).catch((err: unknown) => {
      this.ports.logger.warn({ err }, 'dispatch: could not remove this process from the endpoint capacity');
    });
  }

  /** Runs a release step soon; calls while one runs coalesce into one more. */
  pump(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.releaseLoop().finally(() => {
      this.running = false;
    });
  }

  /**
   * Waits until `jobId` may start: its model below `modelSlots` running invocations (checked in Redis), or
   * an invocation of its model in this process ended and handed its slot over (`handOff`).
   */
  async waitForModelSlot(jobId: string, targetModel: string, signal?: AbortSignal): Promise<void> {
    const waiter: SlotWaiter = { jobId, targetModel, handedOver: false, wake: () => undefined };
    this.slotWaiters.push(waiter);
    try {
      const { modelSlots } = this.options;
      while (!waiter.handedOver && !(await this.ports.state.start(jobId, targetModel, modelSlots, this.lanes()))) {
        if (waiter.handedOver) return;
        if (signal?.aborted) throw new Error('The worker is closing');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 100);
          waiter.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    } finally {
      this.slotWaiters = this.slotWaiters.filter((w) => w !== waiter);
    }
  }

  /**
   * An invocation of `targetModel` in this process ended: its slot goes at once to a job of this process
   * waiting for one, without a round trip to Redis (the finish step records the hand-over). Returns that
   * job's id, if any. The model's count of running invocations stays what it was, so no limit is crossed.
   */
  handOff(targetModel: string): string | undefined {
    if (this.held.has(targetModel)) return undefined;
    const waiter = this.slotWaiters.find((w) => w.targetModel === targetModel && !w.handedOver);
    if (!waiter) return undefined;
    waiter.handedOver = true;
    waiter.wake();
    return waiter.jobId;
  }

  /** An invocation of this process ended: wake jobs waiting for a model slot and release more work. */
  invocationEnded(): void {
    for (const waiter of this.slotWaiters) waiter.wake();
    this.pump();
  }

  /**
   * An interactive invocation of this process starts. It is counted in Redis on the lane the endpoint's
   * router sends it to, so every process releases batch work for one slot fewer there (and on the endpoint)
   * until it ends: a batch job released for that slot would wait behind it, counted as its tenant's running
   * share, or overfill the instance and have its model loaded on another. Bookkeeping only: a Redis error is
   * logged and the invocation goes ahead.
   */
  async interactiveStarted(jobId: string, targetModel: string): Promise<void> {
    const { state, logger } = this.ports;
    const slots = { modelSlots: this.options.modelSlots, lanes: this.lanes(), coldLoadMs: this.timings.coldLoadMs };
    await state.interactiveStarted(jobId, targetModel, slots).catch((err: unknown) => {
      logger.warn({ err }, 'dispatch: could not count an interactive invocation on its lane');
    });
  }

  async interactiveEnded(jobId: string): Promise<void> {
    const { state, logger } = this.ports;
    await state.interactiveEnded(jobId).catch((err: unknown) => {
      logger.warn({ err }, 'dispatch: could not end an interactive invocation on its lane');
    });
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
    // Start a lane's next model early enough that it is loaded when the lane's running models drain.
    const slots = options.modelSlots;
    const prewarmAt = Math.ceil((slots * timings.coldLoadMs) / invocationMs) + slots;
    // A cold-start gather waits for work that arrived together to be admitted: once nothing is left
    // waiting in BullMQ, all of it has been, and the gather ends at once.
    const admitted = this.gathering && (await this.ports.waiting()) === 0;
    const { jobIds, warmups, held, gatherEndsInMs } = await this.ports.state.release({
      now,
      capacity,
      lookahead: options.lookahead,
      modelSlots: slots,
      maxWaitMs: options.maxWaitMs,
      prewarmAt,
      holdPrior: options.holdPrior,
      loadingMs: 2 * timings.coldLoadMs + invocationMs,
      placeMs: WARM_UP_ROUTED_WITHIN_MS,
      placeWaitMs: 2 * invocationMs,
      coldLoadMs: timings.coldLoadMs,
      lanes: this.lanes(),
      // A tenth of a load: once, after the endpoint was idle, and the load is paid anyway.
      coldStartGatherMs: admitted ? 0 : Math.round(timings.coldLoadMs / 10),
    });
    this.held = new Set(held);
    this.gathering = gatherEndsInMs !== undefined;
    if (gatherEndsInMs !== undefined && this.gatherTimer === undefined) {
      this.gatherTimer = setTimeout(() => {
        this.gatherTimer = undefined;
        this.pump();
      }, gatherEndsInMs + 1);
      this.gatherTimer.unref();
    }
    for (const targetModel of warmups) {
      this.ports.logger.debug({ targetModel }, 'warming up the next model');
      void this.ports.warmUp(targetModel, options.warmupAbortMs).catch(() => undefined);
    }
    await Promise.all(
      jobIds.map(async (jobId) => {
        const result = await this.ports.promote(jobId);
        if (result === 'missing') await this.ports.state.finish(jobId, '', 'forget');
      }),
    );
  }

  /**
   * Lanes: the instances the processes' concurrency was sized for (one instance's slots each). Not the AIMD
   * limits: a throttle that lowers them for a while must not renumber every model's lane.
   */
  private lanes(): number {
    return Math.max(1, Math.floor(this.capacity.max / this.options.modelSlots));
  }

  /** The endpoint's concurrency: the AIMD limits of the live worker processes, summed (refreshed each second). */
  private async endpointCapacity(now: number): Promise<number> {
    if (now - this.capacity.at >= 1_000) {
      const { limiter } = this.ports;
      const sum = await this.ports.state.reportLimit(
        this.ports.processId,
        { limit: limiter.limit, max: limiter.maxLimit },
        15_000,
        now,
      );
      this.capacity = { value: Math.max(1, sum.limit), max: Math.max(1, sum.max), at: now };
    }
    return this.capacity.value;
  }
}
