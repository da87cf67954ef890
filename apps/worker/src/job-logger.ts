import { type Job } from 'bullmq';
import { type Logger } from '@dreamqueue/logger';

/** Every log line about a job carries its queue, id, name, attempt and tenant. */
export function jobLogger(logger: Logger, job: Job<{ tenantId?: string }>): Logger {
  return logger.child({
    queue: job.queueName,
    jobId: job.id,
    jobName: job.name,
    attempt: job.attemptsMade + 1,
    tenantId: job.data?.tenantId,
  });
}
