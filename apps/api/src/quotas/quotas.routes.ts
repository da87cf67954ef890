import express, { Router } from 'express';
import { tenantIdSchema } from '@dreamqueue/contracts';
import { notFound } from '@dreamqueue/errors';
import { parseBody } from '../generations/validation';
import { principalOf, requireRole } from '../middleware/authenticate';
import { QuotaLimitsUpdate } from './quota-update';
import { quotasView } from './quota-view';
import { type TenantQuotas } from './tenant-quotas';

/** `GET /v1/quotas`: the caller's own limits and usage (a tenant never names another tenant). */
export function quotaRoutes(quotas: TenantQuotas): Router {
  const router = Router({ caseSensitive: true });
  router.get('/quotas', async (_req, res) => {
    const { tenantId } = principalOf(res);
    res.json(quotasView(tenantId, await quotas.view(tenantId)));
  });
  return router;
}

/**
 * Under /v1/admin (operator role): any tenant's limits and usage; changing them needs the admin role. A
 * tenant id is just a name here: limits may be set before the tenant's first key exists.
 */
export function quotaAdminRoutes(quotas: TenantQuotas): Router {
  const router = Router({ caseSensitive: true });
  router.get('/tenants/:tenantId/quotas', async (req, res) => {
    const tenantId = tenantOf(req.params.tenantId);
    res.json(quotasView(tenantId, await quotas.view(tenantId)));
  });
  router.put('/tenants/:tenantId/quotas', requireRole('admin'), express.json({ limit: '8kb' }), async (req, res) => {
    const tenantId = tenantOf(req.params.tenantId);
    await quotas.set(tenantId, parseBody(QuotaLimitsUpdate, req.body ?? {}, 'invalid_quota'));
    res.json(quotasView(tenantId, await quotas.view(tenantId)));
  });
  return router;
}

function tenantOf(raw: unknown): string {
  const parsed = tenantIdSchema.safeParse(raw);
  if (!parsed.success) throw notFound('Tenant', String(raw).slice(0, 40));
  return parsed.data;
}
