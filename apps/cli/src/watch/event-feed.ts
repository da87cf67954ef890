import { type DreamqueueClient, type ServerEvent } from '@dreamqueue/client';

/** A resource's status changes, as `/v1/events` reports them. */
export interface ResourceEvent {
  id: string;
  type: string;
  resourceId: string;
  status: string;
  data?: Record<string, unknown>;
}

/** Without any event for this long, the resource is read anyway (a safety net, not the mechanism). */
const QUIET_READ_MS = 30_000;
const RECONNECT_MS = 1_000;

/**
 * The caller's event stream, opened before the work it watches is created, so none of that work's events
 * can be missed. It reconnects with `Last-Event-ID` when the stream drops (nothing is lost in between)
 * and stops when `signal` aborts.
 */
export class EventFeed {
  private lastEventId: string | undefined;
  private waiters = new Set<() => void>();
  private queue: ResourceEvent[] = [];
  private failure: unknown;
  private readonly stopped: AbortController;

  private constructor(
    private readonly client: DreamqueueClient,
    signal: AbortSignal,
  ) {
    this.stopped = new AbortController();
    signal.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Resolves once the stream is open. */
  static async open(client: DreamqueueClient, signal: AbortSignal): Promise<EventFeed> {
    const feed = new EventFeed(client, signal);
    await new Promise<void>((resolve, reject) => {
      void feed.run(resolve, reject);
    });
    return feed;
  }

  close(): void {
    this.stopped.abort();
    this.wake();
  }

  /**
   * Reads the resource, then again after each of its events (or reconnect, or a quiet spell), handing each
   * read to `onUpdate`, until `done` says so. Throws when the signal aborts.
   */
  async follow<T>(
    resourceId: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    onUpdate: (value: T, event?: ResourceEvent) => void,
  ): Promise<T> {
    let value = await read();
    onUpdate(value);
    while (!done(value)) {
      const event = await this.next(resourceId);
      value = await read();
      onUpdate(value, event);
    }
    return value;
  }

  /** The next event of `resourceId`, or undefined after a reconnect or a quiet spell. */
  private async next(resourceId: string): Promise<ResourceEvent | undefined> {
    const deadline = Date.now() + QUIET_READ_MS;
    for (;;) {
      if (this.stopped.signal.aborted) throw new Error('stopped watching');
      // Several events since the last read need one read, not several.
      const mine = this.queue.filter((e) => e.resourceId === resourceId);
      this.queue = [];
      if (mine.length > 0) return mine[mine.length - 1];
      if (this.failure !== undefined) {
        this.failure = undefined;
        return undefined;
      }
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  private async run(opened: () => void, failedToOpen: (err: unknown) => void): Promise<void> {
    let first = true;
    while (!this.stopped.signal.aborted) {
      try {
        const stream = this.client.events({
          lastEventId: this.lastEventId,
          signal: this.stopped.signal,
          onOpen: () => {
            if (first) opened();
            first = false;
          },
        });
        for await (const event of stream) this.push(event);
      } catch (err) {
        if (first) return failedToOpen(this.stopped.signal.aborted ? new Error('stopped watching') : err);
      }
      if (this.stopped.signal.aborted) return first ? failedToOpen(new Error('stopped watching')) : undefined;
      // The stream ended (server restart, proxy timeout): read once more, then resume where it stopped.
      this.failure = 'reconnect';
      this.wake();
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
    }
  }

  private push(event: ServerEvent): void {
    const data = event.data as Partial<ResourceEvent> | undefined;
    if (event.id) this.lastEventId = event.id;
    if (!data || typeof data.resourceId !== 'string') return;
    this.queue.push({
      id: event.id,
      type: String(data.type ?? event.event),
      resourceId: data.resourceId,
      status: String(data.status),
      data: data.data,
    });
    this.wake();
  }
}
