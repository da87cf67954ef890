import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { QUEUE_CATALOG, type QueueKey } from '@dreamqueue/contracts';
import { type Logger } from '@dreamqueue/logger';
import { withJobSpan } from '@dreamqueue/tracing';
import { type ProcessorRegistry } from './processor-registry';

export interface StartWorkersOptions {
  registry: ProcessorRegistry;
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
  lockDuration?: number;
  stalledInterval?: number;
}

/** Starts one BullMQ Worker per catalog queue; every worker logs its errors and failures with job scope. */
export function startWorkers({
  registry,
  connection,
  prefix,
  logger,
  lockDuration,
  stalledInterval,
}: StartWorkersOptions): Map<QueueKey, Worker> {
  const workers = new Map<QueueKey, Worker>();
  for (const key of Object.keys(QUEUE_CATALOG) as QueueKey[]) {
    const definition = QUEUE_CATALOG[key];
    const entry = registry[key];
    const run = entry.process as (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;
    // A consumer span per run, continuing the trace of the request that enqueued the job (no-op when tracing is off).
    const traced = (job: Job, token?: string, signal?: AbortSignal) =>
      withJobSpan(job, `${definition.name} process`, () => run(job, token, signal));
    const worker = new Worker(definition.name, traced, {
      connection,
      prefix,
      lockDuration,
      stalledInterval,
      ...entry.options,
    });
    entry.onWorker?.(worker);
    const log = logger.child({ queue: definition.name });
    worker.on('error', (err) => log.error({ err }, 'worker error'));
    worker.on('failed', (job, err) =>
      log.warn({ err, jobId: job?.id, attempt: job?.attemptsMade, tenantId: job?.data?.tenantId }, 'job failed'),
    );
    worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled; another worker will resume it'));
    workers.set(key, worker);
  }
  return workers;
}

/** Stops fetching, waits for active jobs to finish (or be handed back at their next checkpoint). */
export async function closeWorkers(workers: Map<QueueKey, Worker>): Promise<void> {
  await Promise.all([...workers.values()].map((w) => w.close()));
}
