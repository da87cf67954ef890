import { type Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed', 'waiting-children'] as const;
/** How many jobs of the prioritized set are inspected for the oldest one (it is ordered by priority, not age). */
const PRIORITIZED_SAMPLE = 50;

/**
 * Gauges read from Redis when Prometheus scrapes: jobs per queue and state (`getJobCounts`), and the age
 * of the oldest job still waiting to start. Nothing is cached, so a scrape costs a few commands per queue.
 */
export function registerQueueGauges(registry: Registry, queues: Queue[]): void {
  new Gauge({
    name: 'dq_queue_jobs',
    help: 'Jobs per queue and state.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      await Promise.all(
        queues.map(async (queue) => {
          const counts = await queue.getJobCounts(...STATES);
          for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }),
      );
    },
  });
  new Gauge({
    name: 'dq_queue_oldest_waiting_age_seconds',
    help: 'Age of the oldest job waiting to start, per queue and state (waiting, prioritized); 0 when none.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const now = Date.now();
      await Promise.all(
        queues.map(async (queue) => {
          const [oldestWaiting] = await queue.getJobs(['wait'], 0, 0, true);
          const prioritized = await queue.getJobs(['prioritized'], 0, PRIORITIZED_SAMPLE - 1, true);
          const oldestPrioritized = Math.min(...prioritized.map((j) => j.timestamp));
          this.set({ queue: queue.name, state: 'waiting' }, oldestWaiting ? (now - oldestWaiting.timestamp) / 1000 : 0);
          this.set(
            { queue: queue.name, state: 'prioritized' },
            Number.isFinite(oldestPrioritized) ? (now - oldestPrioritized) / 1000 : 0,
          );
        }),
      );
    },
  });
}
