import { type Queue } from 'bullmq';
import { Router } from 'express';
import { conflict, notFound } from '@dreamqueue/errors';
import { type WebhookDeliveries } from '@dreamqueue/records';
import { requireRole } from '../middleware/authenticate';

/**
 * Operator views of webhook deliveries: the dead-letter list, one delivery, and redelivery (admin role:
 * it sends a request to a tenant's endpoint). Redelivery reuses the event id, so the receiver's
 * dedup by `webhook-id` still holds.
 */
export function webhooksAdminRoutes(deps: { deliveries: WebhookDeliveries; queue: Queue }): Router {
  const router = Router({ caseSensitive: true });
  router.get('/webhooks/dead', async (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit) || 50, 1), 200);
    res.json({ data: (await deps.deliveries.listDead(limit)).map(view) });
  });
  router.get('/webhooks/:eventId', async (req, res) => {
    const delivery = await deps.deliveries.get(String(req.params.eventId));
    if (!delivery) throw notFound('Webhook delivery', eventIdOf(req.params.eventId));
    res.json(view(delivery));
  });
  router.post('/webhooks/:eventId/redeliver', requireRole('admin'), async (req, res) => {
    const eventId = String(req.params.eventId);
    const delivery = await deps.deliveries.get(eventId);
    if (!delivery) throw notFound('Webhook delivery', eventIdOf(req.params.eventId));
    const job = await deps.queue.getJob(eventId);
    const state = job ? await job.getState() : 'missing';
    if (['waiting', 'active', 'delayed', 'prioritized'].includes(state)) {
      throw conflict('webhook_delivery_in_progress', `This delivery is already ${state}.`);
    }
    await deps.deliveries.reopen(eventId);
    if (job && state === 'failed') await job.retry('failed');
    else {
      await job?.remove();
      await deps.queue.add(deps.queue.name, { tenantId: delivery.tenantId, eventId }, { jobId: eventId });
    }
    res.status(202).json({ eventId, state: 'pending' });
  });
  return router;
}

const eventIdOf = (raw: unknown) => String(raw).slice(0, 40);

function view(d: Awaited<ReturnType<WebhookDeliveries['get']>> & object) {
  const { event, ...rest } = d;
  return {
    ...rest,
    resource: event.resource,
    createdAt: new Date(d.createdAt).toISOString(),
    updatedAt: new Date(d.updatedAt).toISOString(),
  };
}
