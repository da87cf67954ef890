import { z } from 'zod';
import { commonEnv, durationMs, intEnv, loadConfig } from '@dreamqueue/config';

export const WorkerEnv = z.object({
  ...commonEnv,
  /** Jobs one process runs at once per queue. Waiting trainings hold no slot (they are delayed jobs). */
  TRAIN_CONCURRENCY: intEnv(4, 1, 256),
  GENERATE_CONCURRENCY: intEnv(4, 1, 256),
  WEBHOOK_CONCURRENCY: intEnv(8, 1, 256),
  /** BullMQ lock; a worker that stops renewing it for this long loses the job to another worker. */
  LOCK_DURATION: durationMs('30s'),
  STALLED_INTERVAL: durationMs('30s'),
  /** Port for the worker's own /healthz and /readyz (0 picks a free one). */
  WORKER_HEALTH_PORT: intEnv(3001, 0, 65535),
});

export type WorkerConfig = z.output<typeof WorkerEnv>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): Readonly<WorkerConfig> {
  return loadConfig(WorkerEnv, env);
}
