import express, { Router } from 'express';
import { z } from 'zod';
import { badRequest } from '@dreamqueue/errors';
import { type WebhookSecrets, type WebhookTargets } from '@dreamqueue/records';
import { principalOf } from '../middleware/authenticate';

export interface WebhooksRouteDeps {
  targets: WebhookTargets;
  secrets: WebhookSecrets;
  /** Accept http:// URLs (local development). The worker re-checks every URL, and its address, at send time. */
  allowHttp: boolean;
}

/** Syntax checks only; private and loopback addresses are refused by the worker against the resolved IP. */
export function webhookUrlSchema(allowHttp: boolean) {
  return z
    .string()
    .max(2048)
    .refine(
      (v) => {
        try {
          const url = new URL(v);
          return (
            (url.protocol === 'https:' || (allowHttp && url.protocol === 'http:')) && !url.username && !url.password
          );
        } catch {
          return false;
        }
      },
      allowHttp ? 'expected an http(s) URL without credentials' : 'expected an https URL without credentials',
    );
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
  const router = Router();
  const Body = z.strictObject({ url: webhookUrlSchema(deps.allowHttp) });
  router.put('/webhooks/default', express.json({ limit: '8kb' }), async (req, res) => {
    const parsed = Body.safeParse(req.body);
    if (!parsed.success) {
      throw badRequest(
        'invalid_webhook_url',
        'The webhook URL is not valid.',
        parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      );
    }
    const { tenantId } = principalOf(res);
    await deps.targets.setTenantDefault(tenantId, parsed.data.url);
    const secret = await deps.secrets.ensure(tenantId);
    res.json({ url: parsed.data.url, ...(secret ? { secret } : {}) });
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
