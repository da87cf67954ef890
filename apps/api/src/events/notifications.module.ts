import { type Redis } from 'ioredis';
import { EventLog, WebhookSecrets, WebhookTargets } from '@dreamqueue/records';
import { type KeySpace } from '@dreamqueue/redis';
import { type ApiModule } from '../api-module';
import { type ApiConfig } from '../config';
import { webhooksRoutes } from '../webhooks/webhooks.routes';
import { eventsRoutes } from './events.routes';
import { SseSlots } from './sse-slots';

type NotificationsConfig = Pick<
  ApiConfig,
  'SSE_MAX_PER_TENANT' | 'SSE_HEARTBEAT' | 'WEBHOOK_ALLOW_HTTP' | 'WEBHOOK_ALLOW_HOSTS' | 'WEBHOOK_SECRET_GRACE'
>;

/** How a tenant hears about status changes: `/v1/events` (Server-Sent Events) and `/v1/webhooks` settings. */
export function notificationsModule(deps: {
  config: Readonly<NotificationsConfig>;
  redis: Redis;
  keySpace: KeySpace;
}): ApiModule {
  const { config, redis, keySpace } = deps;
  return {
    public: [],
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
    admin: [],
  };
}
