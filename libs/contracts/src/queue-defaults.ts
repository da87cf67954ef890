import { type DefaultJobOptions } from 'bullmq';

/**
 * Retention keeps Redis memory flat: finished jobs are removed by age and count. Resource state lives in
 * its own keys, so nothing a user reads depends on a job still being stored.
 */
export const RETENTION: Pick<DefaultJobOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
};
