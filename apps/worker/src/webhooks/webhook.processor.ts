import { UnrecoverableError } from 'bullmq';
import { WebhookPayload, type WebhookResult } from '@dreamqueue/contracts';
import { type Logger } from '@dreamqueue/logger';
import { type WebhookDeliveries, type WebhookSecrets, type WebhookTargets } from '@dreamqueue/records';
import { jobLogger } from '../job-logger';
import { type CatalogJob } from '../processor-registry';
import { WebhookUrlRejected } from '@dreamqueue/webhook-address';
import { resolveTarget, type OutboundPolicy } from './outbound-address';
import { webhookBody } from './webhook-dispatcher';
import { sendWebhook, type SendOptions } from './webhook-sender';
import { WEBHOOK_HEADERS, signWebhook } from './webhook-signature';

export interface WebhookProcessorDeps {
  logger: Logger;
  targets: WebhookTargets;
  secrets: WebhookSecrets;
  deliveries: WebhookDeliveries;
  policy: OutboundPolicy;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Counts each attempt's outcome (metrics). */
  onAttempt?: (outcome: 'delivered' | 'retry' | 'dead' | 'skipped') => void;
}

/**
 * One delivery attempt: read the event from its delivery record, resolve the URL and the signing secrets
 * now (not when the job was queued), check the address, sign and POST. A non-2xx answer or a network
 * error fails the attempt so BullMQ retries it with backoff; the last failed attempt marks the delivery
 * dead (the failed set plus `webhook-dead` are the dead-letter state operators redeliver from).
 */
export function createWebhookProcessor(deps: WebhookProcessorDeps) {
  return async (job: CatalogJob<'webhooks'>): Promise<WebhookResult> => {
    const log = jobLogger(deps.logger, job);
    const parsed = WebhookPayload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('webhook job data does not match the webhooks contract');
    const { tenantId, eventId } = parsed.data;
    const delivery = await deps.deliveries.get(eventId);
    if (!delivery) throw new UnrecoverableError(`no delivery record for event ${eventId}`);
    const attempt = job.attemptsMade + 1;
    const lastAttempt = attempt >= (job.opts.attempts ?? 1);

    const url = await deps.targets.resolve(tenantId, delivery.resourceId);
    if (!url) {
      await deps.deliveries.markSkipped(eventId, 'no webhook target any more');
      deps.onAttempt?.('skipped');
      return { status: 0, attempts: attempt };
    }
    // Never made here: a secret created at send time would sign with a key the tenant never saw. The API
    // takes a webhook URL only once the tenant has a secret; without one (deleted since) the delivery is dead.
    const signing = await deps.secrets.active(tenantId);
    if (signing.length === 0) {
      const error = 'the tenant has no webhook signing secret (POST /v1/webhooks/secrets/rotate creates one)';
      await deps.deliveries.recordAttempt(eventId, 'dead', { error });
      deps.onAttempt?.('dead');
      log.warn({ eventId }, 'no webhook signing secret; delivery is dead');
      throw new UnrecoverableError(error);
    }

    const body = webhookBody(delivery.event);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      [WEBHOOK_HEADERS.id]: eventId,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: signWebhook(signing, eventId, timestamp, body),
    };
    let outcome: { status?: number; error?: string };
    try {
      const target = await resolveTarget(url, deps.policy);
      const send: SendOptions = {
        target,
        headers,
        body,
        timeoutMs: deps.timeoutMs,
        maxResponseBytes: deps.maxResponseBytes,
      };
      const { status } = await sendWebhook(send);
      outcome = { status, ...(status >= 200 && status < 300 ? {} : { error: `receiver answered ${status}` }) };
    } catch (err) {
      outcome = {
        error: err instanceof WebhookUrlRejected ? err.message : `${(err as Error).name}: ${(err as Error).message}`,
      };
      if (err instanceof WebhookUrlRejected) {
        await deps.deliveries.recordAttempt(eventId, 'dead', outcome);
        deps.onAttempt?.('dead');
        log.warn({ eventId, reason: err.message }, 'webhook target refused; delivery is dead');
        throw new UnrecoverableError(err.message);
      }
    }
    if (!outcome.error) {
      await deps.deliveries.recordAttempt(eventId, 'delivered', outcome);
      deps.onAttempt?.('delivered');
      log.info({ eventId, status: outcome.status, attempt }, 'webhook delivered');
      return { status: outcome.status!, attempts: attempt };
    }
    await deps.deliveries.recordAttempt(eventId, lastAttempt ? 'dead' : 'pending', outcome);
    deps.onAttempt?.(lastAttempt ? 'dead' : 'retry');
    log.warn(
      { eventId, status: outcome.status, attempt, lastAttempt, reason: outcome.error },
      lastAttempt ? 'webhook delivery is dead' : 'webhook attempt failed; will retry',
    );
    throw new Error(`webhook delivery failed: ${outcome.error}`);
  };
}
