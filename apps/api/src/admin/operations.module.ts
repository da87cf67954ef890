import { type Queue } from 'bullmq';
import { type Redis } from 'ioredis';
import { webhookQueue } from '@dreamqueue/contracts';
import { JobIndex, WebhookDeliveries } from '@dreamqueue/records';
import { type KeySpace } from '@dreamqueue/redis';
import { type ApiModule } from '../api-module';
import { type ApiConfig } from '../config';
import { createApiMetrics } from '../metrics/api-metrics';
import { metricsRoutes } from '../metrics/metrics.routes';
import { jobsRoutes } from './jobs.routes';
import { webhooksAdminRoutes } from './webhooks-admin.routes';

/**
 * What operators use: `/metrics` (public, token-guarded; mount it first among the public routers: its request
 * timing covers every later request), job search and webhook deliveries under /v1/admin. What tenants use to follow
 * their resources (/v1/events, /v1/webhooks) is the notifications module.
 */
export function operationsModule(deps: {
  config: Readonly<Pick<ApiConfig, 'METRICS_TOKEN'>>;
  redis: Redis;
  keySpace: KeySpace;
  queues: Queue[];
  defaultMetrics?: boolean;
}): ApiModule {
  const { config, redis, keySpace } = deps;
  const metrics = createApiMetrics({ queues: deps.queues, defaultMetrics: deps.defaultMetrics });
  const webhooks = deps.queues.find((q) => q.name === webhookQueue.name);
  if (!webhooks) throw new Error('the webhooks queue is missing from the queue list');
  const deliveries = new WebhookDeliveries(redis, keySpace);
  return {
    // The timing middleware runs for every request that reaches the public routers (all but the health probes).
    public: [metrics.middleware, metricsRoutes(metrics, config.METRICS_TOKEN)],
    v1: [],
    admin: [jobsRoutes(new JobIndex(redis, keySpace)), webhooksAdminRoutes({ deliveries, queue: webhooks })],
  };
}
