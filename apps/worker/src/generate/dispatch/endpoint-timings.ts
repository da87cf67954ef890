/**
 * What the worker learns about the endpoint from its own invocations: how long a warm full batch takes
 * (the fastest recent one, allowed to drift up slowly) and how long a cold load adds. An invocation much
 * slower than a warm one waited for its model to load; the excess is a cold-load sample. Until one is
 * seen, the configured prior stands for the load time.
 */
export class EndpointTimings {
  private warmMs: number | undefined;
  private coldMs: number;
  private coldSeen = false;

  constructor(coldLoadPriorMs: number) {
    this.coldMs = coldLoadPriorMs;
  }

  /** Records one successful invocation (`full`: a whole batch); returns whether it waited for a cold load. */
  observe(durationMs: number, full: boolean): boolean {
    if (this.warmMs === undefined) {
      if (full) this.warmMs = durationMs;
      return false;
    }
    const cold = durationMs > this.warmMs * 1.5 + 250;
    if (cold) {
      const sample = durationMs - this.warmMs;
      this.coldMs = this.coldSeen ? 0.7 * this.coldMs + 0.3 * sample : sample;
      this.coldSeen = true;
    } else if (full) {
      // The fastest recent call, creeping up 1 % per call so a slower endpoint is followed.
      this.warmMs = Math.min(this.warmMs * 1.01, Math.max(durationMs, this.warmMs * 0.5));
    }
    return cold;
  }

  get invocationMs(): number | undefined {
    return this.warmMs;
  }

  get coldLoadMs(): number {
    return this.coldMs;
  }
}
