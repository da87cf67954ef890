import express, { Router } from 'express';
import { z } from 'zod';
import { badRequest } from '@dreamqueue/errors';
import { type WebhookSecrets, type WebhookTargets } from '@dreamqueue/records';
import { principalOf } from '../middleware/authenticate';
import { validateWebhookUrl, type WebhookUrlPolicy } from './webhook-url';

/** `PUT /v1/webhooks/default` body. */
export const WebhookDefaultBody = z.strictObject({ url: z.string() });

export interface WebhooksRouteDeps {
  targets: WebhookTargets;
  secrets: WebhookSecrets;
  /** The shared webhook address policy. The worker re-checks every URL, and its address, at send time. */
  policy: WebhookUrlPolicy;
}

/**
 * Tenant webhook settings:
 * - `PUT /v1/webhooks/default` `{url}` sets the URL used for resources created without their own;
 *   the first time, the response carries the signing secret (shown once).
 * - `DELETE /v1/webhooks/default` removes it.
 * - `POST /v1/webhooks/secrets/rotate` returns a new secret once; the previous one keeps signing
 *   (a second signature) for the grace period.
 */
export function webhooksRoutes(deps: WebhooksRouteDeps): Router {
  const router = Router({ caseSensitive: true });
  router.put('/webhooks/default', express.json({ limit: '8kb' }), async (req, res) => {
    const parsed = WebhookDefaultBody.safeParse(req.body);
    if (!parsed.success) throw badRequest('invalid_webhook_url', 'Send {"url": "https://…"}.');
    const url = validateWebhookUrl(parsed.data.url, deps.policy, 'url');
    const { tenantId } = principalOf(res);
    await deps.targets.setTenantDefault(tenantId, url);
    const secret = await deps.secrets.ensure(tenantId);
    res.json({ url, ...(secret ? { secret } : {}) });
  });
  router.delete('/webhooks/default', async (_req, res) => {
    await deps.targets.setTenantDefault(principalOf(res).tenantId, undefined);
    res.status(204).end();
  });
  router.post('/webhooks/secrets/rotate', async (_req, res) => {
    res.status(201).json(await deps.secrets.rotate(principalOf(res).tenantId));
  });
  return router;
}
