import { type Job, type Worker } from 'bullmq';
import { type StoredEvent } from '@dreamqueue/records';
import { type WorkerMetrics } from './worker-metrics';

/** Observes each finished job's run time (finishedOn - processedOn) by queue and outcome. */
export function instrumentWorkers(workers: Iterable<Worker>, metrics: Pick<WorkerMetrics, 'jobDuration'>): void {
  for (const worker of workers) {
    const observe = (job: Job | undefined, outcome: 'completed' | 'failed') => {
      if (!job?.processedOn || !job.finishedOn) return;
      metrics.jobDuration.observe({ queue: worker.name, outcome }, (job.finishedOn - job.processedOn) / 1000);
    };
    worker.on('completed', (job) => observe(job, 'completed'));
    worker.on('failed', (job) => observe(job, 'failed'));
  }
}

/** Counts trainings by outcome from the durable event stream (each event reaches one worker of the group). */
export function countEvent(metrics: Pick<WorkerMetrics, 'trainings'>, event: StoredEvent): void {
  if (event.type === 'model.ready') metrics.trainings.inc({ outcome: 'ready' });
  else if (event.type === 'model.failed') metrics.trainings.inc({ outcome: 'failed' });
}
