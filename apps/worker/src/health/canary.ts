import { hostname } from 'node:os';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { type Logger } from '@dreamqueue/logger';

/**
 * Proves this process is *consuming*, not merely connected: every `intervalMs` it adds a tiny job to a
 * queue of its own and records when its own BullMQ Worker finished it. After a Redis outage a worker can
 * stay connected, answer pings and still never fetch again (bullmq#4585); the canary's round trip then
 * stops, and readiness says so. The queue is per process (named after host and pid), so the answer is
 * about this process and not about whichever replica happened to fetch the job.
 */
export interface CanaryOptions {
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  /** @defaultValue 5000 */
  intervalMs?: number;
  /** A canary still unfinished after this long is abandoned and a new one is sent. @defaultValue 30 000 */
  giveUpMs?: number;
  instanceId?: string;
  onRoundTrip?: (latencyMs: number) => void;
}

export class Canary {
  /** When the last canary completed (epoch ms); the start time until the first one does. */
  lastRoundTripAt: number;
  lastLatencyMs?: number;
  private readonly queue: Queue;
  private readonly worker: Worker;
  private timer?: NodeJS.Timeout;
  private inFlightSince?: number;

  constructor(private readonly options: CanaryOptions) {
    const name = `health-canary-${(options.instanceId ?? `${hostname()}-${process.pid}`).replace(/[^A-Za-z0-9-]/g, '-')}`;
    this.lastRoundTripAt = Date.now();
    this.queue = new Queue(name, {
      connection: options.connection,
      prefix: options.prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
    });
    this.worker = new Worker(name, async () => undefined, {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: 1,
      autorun: false,
    });
    const onError = (err: Error) => options.logger.debug({ err, queue: name }, 'canary connection error');
    this.queue.on('error', onError);
    this.worker.on('error', onError);
    this.worker.on('completed', (job) => {
      this.lastRoundTripAt = Date.now();
      this.lastLatencyMs = this.lastRoundTripAt - job.timestamp;
      this.inFlightSince = undefined;
      options.onRoundTrip?.(this.lastLatencyMs);
    });
  }

  get queueName(): string {
    return this.queue.name;
  }

  start(): void {
    void this.worker.run().catch((err: unknown) => this.options.logger.error({ err }, 'canary worker stopped'));
    this.send();
    this.timer = setInterval(() => this.send(), this.options.intervalMs ?? 5_000);
  }

  /** Milliseconds since the last completed round trip. */
  age(now = Date.now()): number {
    return now - this.lastRoundTripAt;
  }

  private send(): void {
    const giveUpMs = this.options.giveUpMs ?? 30_000;
    if (this.inFlightSince !== undefined && Date.now() - this.inFlightSince < giveUpMs) return;
    this.inFlightSince = Date.now();
    // While Redis is down the add waits for the reconnect (worker connections queue commands); that is fine:
    // it is in flight, and readiness is decided by the round-trip age alone.
    this.queue.add('canary', {}).catch((err: unknown) => {
      this.inFlightSince = undefined;
      this.options.logger.debug({ err }, 'canary not sent');
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.worker.close(true);
    await Promise.race([
      this.queue.obliterate({ force: true }).catch(() => undefined),
      new Promise((r) => setTimeout(r, 1_000)),
    ]);
    await this.queue.close();
  }
}
