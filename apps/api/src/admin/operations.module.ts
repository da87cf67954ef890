import { type Queue } from 'bullmq';
import { type Router } from 'express';
import { type Redis } from 'ioredis';
import { webhookQueue } from '@dreamqueue/contracts';
import { EventLog, JobIndex, WebhookDeliveries, WebhookSecrets, WebhookTargets } from '@dreamqueue/records';
import { type KeySpace } from '@dreamqueue/redis';
import { type ApiConfig } from '../config';
import { eventsRoutes } from '../events/events.routes';
import { SseSlots } from '../events/sse-slots';
import { createApiMetrics, type ApiMetrics } from '../metrics/api-metrics';
import { metricsRoutes } from '../metrics/metrics.routes';
import { webhooksRoutes } from '../webhooks/webhooks.routes';
import { jobsRoutes } from './jobs.routes';
import { webhooksAdminRoutes } from './webhooks-admin.routes';

type OperationsConfig = Pick<
  ApiConfig,
  | 'METRICS_TOKEN'
  | 'SSE_MAX_PER_TENANT'
  | 'SSE_HEARTBEAT'
  | 'WEBHOOK_ALLOW_HTTP'
  | 'WEBHOOK_ALLOW_HOSTS'
  | 'WEBHOOK_SECRET_GRACE'
>;

export interface OperationsModule {
  metrics: ApiMetrics;
  /** Mount first among the public routers: it also times every later request. */
  public: Router[];
  v1: Router[];
  admin: Router[];
}

/** What operators and integrators use: /metrics, live events, webhook settings, job search, deliveries. */
export function operationsModule(deps: {
  config: Readonly<OperationsConfig>;
  redis: Redis;
  keySpace: KeySpace;
  queues: Queue[];
  defaultMetrics?: boolean;
}): OperationsModule {
  const { config, redis, keySpace } = deps;
  const metrics = createApiMetrics({ queues: deps.queues, defaultMetrics: deps.defaultMetrics });
  const webhooks = deps.queues.find((q) => q.name === webhookQueue.name);
  if (!webhooks) throw new Error('the webhooks queue is missing from the queue list');
  const deliveries = new WebhookDeliveries(redis, keySpace);
  return {
    metrics,
    public: [metricsRoutes(metrics, config.METRICS_TOKEN)],
    v1: [
      eventsRoutes({
        redis,
        events: new EventLog(redis, keySpace),
        slots: new SseSlots(redis, keySpace, config.SSE_MAX_PER_TENANT, config.SSE_HEARTBEAT * 3),
        heartbeatMs: config.SSE_HEARTBEAT,
      }),
      webhooksRoutes({
        targets: new WebhookTargets(redis, keySpace),
        secrets: new WebhookSecrets(redis, keySpace, Math.round(config.WEBHOOK_SECRET_GRACE / 1000)),
        policy: { allowHttp: config.WEBHOOK_ALLOW_HTTP, allowHosts: config.WEBHOOK_ALLOW_HOSTS },
      }),
    ],
    admin: [jobsRoutes(new JobIndex(redis, keySpace)), webhooksAdminRoutes({ deliveries, queue: webhooks })],
  };
}
