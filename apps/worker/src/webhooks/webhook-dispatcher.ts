import { type Queue } from 'bullmq';
import { webhookQueue, type WebhookPayload, type WebhookResult } from '@dreamqueue/contracts';
import { type StoredEvent, type WebhookDeliveries, type WebhookTargets } from '@dreamqueue/records';

/**
 * Events a tenant is told about by webhook: the end of a training, a generation or a batch — one per resource
 * (per batch round). A canceled batch ends with `batch.completed` (status `canceled`), once its running
 * invocations are recorded and its manifest is written; `batch.canceled` marks only the moment of the cancel
 * (event stream), so it is not sent too.
 */
export const TERMINAL_EVENTS: ReadonlySet<string> = new Set([
  'model.ready',
  'model.failed',
  'generation.succeeded',
  'generation.failed',
  'generation.expired',
  'generation.canceled',
  'batch.completed',
  'batch.failed',
]);

export interface WebhookDispatcherDeps {
  targets: WebhookTargets;
  deliveries: WebhookDeliveries;
  queue: Queue<WebhookPayload, WebhookResult>;
  /** First retry delay; later ones double. @defaultValue the queue's default (1 s) */
  backoffMs?: number;
}

/**
 * Handler for the deployment-wide event stream (consumer group `webhooks`): a terminal event whose
 * resource has a webhook target becomes one `webhooks` job. The job id is the event's stream id, and the
 * delivery record is created only once, so a replayed event (at-least-once consumption) adds nothing.
 */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps) {
  return async (event: StoredEvent): Promise<void> => {
    if (!TERMINAL_EVENTS.has(event.type)) return;
    if (!(await deps.targets.resolve(event.tenantId, event.resourceId))) return;
    const created = await deps.deliveries.create(event);
    const existing = created ? undefined : await deps.deliveries.get(event.id);
    if (existing && existing.state !== 'pending') return;
    await deps.queue.add(
      webhookQueue.name,
      { tenantId: event.tenantId, eventId: event.id },
      {
        jobId: event.id,
        ...(deps.backoffMs ? { backoff: { type: 'exponential', delay: deps.backoffMs, jitter: 0.2 } } : {}),
      },
    );
  };
}

/** The JSON body a receiver gets (Standard Webhooks shape: type, timestamp, data). */
export function webhookBody(event: StoredEvent): string {
  return JSON.stringify({
    type: event.type,
    timestamp: event.at,
    data: { ...event.data, resource: event.resource, id: event.resourceId, status: event.status },
  });
}
