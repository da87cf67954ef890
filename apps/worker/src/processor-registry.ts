import { type Job, type Worker, type WorkerOptions } from 'bullmq';
import { type PayloadOf, type QueueCatalog, type QueueKey, type ResultOf } from '@dreamqueue/contracts';

export type CatalogJob<K extends QueueKey> = Job<PayloadOf<QueueCatalog[K]>, ResultOf<QueueCatalog[K]>, string>;

/** BullMQ's processor signature, typed by the catalog entry. */
export type CatalogProcessor<K extends QueueKey> = (
  job: CatalogJob<K>,
  token: string | undefined,
  signal?: AbortSignal,
) => Promise<ResultOf<QueueCatalog[K]>>;

/**
 * A worker module: one feature's wiring (the API's `*.module.ts` are the same idea), built by a function
 * `<feature>Module(deps: WorkerDeps)` from the shared dependencies `main.ts` makes.
 */
export interface WorkerModule<K extends QueueKey> {
  process: CatalogProcessor<K>;
  /** Per-queue worker options (concurrency, limiter, lock duration). */
  options?: Partial<WorkerOptions>;
  /** Called with the BullMQ Worker once it exists (processors that call `worker.rateLimit`). */
  onWorker?: (worker: Worker) => void;
}

/** One processor per catalog queue: a queue added to the catalog without a processor does not compile. */
export type ProcessorRegistry = { [K in QueueKey]: WorkerModule<K> };
