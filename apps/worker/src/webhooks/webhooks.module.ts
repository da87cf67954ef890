import { WebhookDeliveries, WebhookSecrets, WebhookTargets } from '@dreamqueue/records';
import { type WorkerModule } from '../processor-registry';
import { type WorkerDeps } from '../worker-deps';
import { createWebhookProcessor } from './webhook.processor';

/** The webhooks module: the `webhooks` queue's processor and options, built from the worker's shared deps. */
export function webhooksModule(deps: WorkerDeps): WorkerModule<'webhooks'> {
  const { config } = deps;
  return {
    process: createWebhookProcessor({
      logger: deps.logger,
      targets: new WebhookTargets(deps.redis, deps.keySpace),
      secrets: new WebhookSecrets(deps.redis, deps.keySpace, Math.round(config.WEBHOOK_SECRET_GRACE / 1000)),
      deliveries: new WebhookDeliveries(deps.redis, deps.keySpace),
      policy: { allowHttp: config.WEBHOOK_ALLOW_HTTP, allowHosts: config.WEBHOOK_ALLOW_HOSTS },
      timeoutMs: config.WEBHOOK_TIMEOUT,
      onAttempt: (outcome) => deps.metrics?.webhookAttempts.inc({ outcome }),
    }),
    options: { concurrency: config.WEBHOOK_CONCURRENCY },
  };
}
