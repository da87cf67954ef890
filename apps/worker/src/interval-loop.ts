/**
 * Runs `run` once soon after start (not at once: start-up is busy), then `intervalMs` after each run ends,
 * so runs never overlap. A failed run is reported to `onError` and the loop carries on. The owner reads
 * `stopping` inside a long run to cut it short; `stop()` waits for a run in flight.
 */
export class IntervalLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopRequested = false;

  constructor(
    private readonly run: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get stopping(): boolean {
    return this.stopRequested;
  }

  start(): void {
    if (this.timer || this.stopRequested) return;
    this.schedule(Math.min(this.intervalMs, 5_000));
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.run()
        .catch(this.onError)
        .finally(() => {
          if (!this.stopRequested) this.schedule(this.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
