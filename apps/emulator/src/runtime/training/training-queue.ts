import { type Clock } from '../../clock';
import { type TunableSettings } from '../../options';
import { type TrainingRequest } from './training-request';

export interface TrainingQueueDeps {
  settings: Pick<TunableSettings, 'trainingConcurrency'>;
  clock: Clock;
  /** Runs one training to its end; the signal aborts it when the emulator closes. */
  run(request: TrainingRequest, signal: AbortSignal): Promise<void>;
  /** A request waited longer than its RequestTTLSeconds. */
  expire(request: TrainingRequest): Promise<void>;
  onError(err: unknown, request: TrainingRequest): void;
}

/**
 * The async endpoint's internal queue: at most `trainingConcurrency` trainings run, the rest wait in
 * arrival order. A waiting request that outlives its TTL is expired (when its timer fires, not when a slot
 * frees up, so a deadline test sees the failure on time).
 */
export class TrainingQueue {
  private readonly waiting: { request: TrainingRequest; timer: NodeJS.Timeout }[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly background = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly deps: TrainingQueueDeps) {}

  submit(request: TrainingRequest): void {
    if (this.abort.signal.aborted) return;
    const ttlLeftMs = this.deps.clock.realMs(request.requestTtlSeconds * 1000) - (Date.now() - request.receivedAt);
    const timer = setTimeout(() => this.expireWaiting(request), Math.max(0, ttlLeftMs));
    this.waiting.push({ request, timer });
    this.pump();
  }

  counts(): { queued: number; running: number } {
    return { queued: this.waiting.length, running: this.running.size };
  }

  /** Stops starting work, aborts running trainings and waits for them to unwind. */
  async close(): Promise<void> {
    this.abort.abort();
    for (const { timer } of this.waiting.splice(0)) clearTimeout(timer);
    await Promise.allSettled([...this.running, ...this.background]);
  }

  private pump(): void {
    while (this.running.size < this.deps.settings.trainingConcurrency && this.waiting.length > 0) {
      const { request, timer } = this.waiting.shift()!;
      clearTimeout(timer);
      this.track(this.deps.run(request, this.abort.signal), request);
    }
  }

  private expireWaiting(request: TrainingRequest): void {
    const index = this.waiting.findIndex((w) => w.request === request);
    if (index === -1) return;
    this.waiting.splice(index, 1);
    this.track(this.deps.expire(request), request, false);
  }

  private track(work: Promise<void>, request: TrainingRequest, holdsSlot = true): void {
    const guarded = work.catch((err: unknown) => this.deps.onError(err, request));
    // Expiries take no training slot, but close() still waits for their S3 write.
    const set = holdsSlot ? this.running : this.background;
    set.add(guarded);
    void guarded.finally(() => {
      set.delete(guarded);
      if (holdsSlot) this.pump();
    });
  }
}
