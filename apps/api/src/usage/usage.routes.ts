import { Router } from 'express';
import { type UsageLedger } from '@dreamqueue/records';
import { principalOf } from '../middleware/authenticate';
import { dayRange, parseQuery, TenantUsageQuery, UsageQuery } from './usage-query';
import { type TenantUsageListView, type UsageView } from './usage-schemas';
import { usageFigures } from './usage-view';

/** `GET /v1/usage`: the caller's own GPU time — in total, per model, and per day for a range. */
export function usageRoutes(ledger: UsageLedger): Router {
  const router = Router({ caseSensitive: true });
  router.get('/usage', async (req, res) => {
    const range = dayRange(parseQuery(UsageQuery, req.query));
    res.json(await tenantUsage(ledger, principalOf(res).tenantId, range));
  });
  return router;
}

/**
 * Operators: `GET /v1/admin/usage` lists tenants by GPU time (largest first, `tenant` narrows it to one),
 * `GET /v1/admin/usage/:tenant` is that tenant's own view.
 */
export function usageAdminRoutes(ledger: UsageLedger): Router {
  const router = Router({ caseSensitive: true });
  router.get('/usage', async (req, res) => {
    const { tenant, offset, limit } = parseQuery(TenantUsageQuery, req.query);
    const { page, count } = tenant ? { page: [{ tenantId: tenant }], count: 1 } : await ledger.tenants(offset, limit);
    const data = await Promise.all(
      page.map(async ({ tenantId }) => ({ tenant: tenantId, ...usageFigures(await ledger.totals(tenantId)) })),
    );
    const body: TenantUsageListView = {
      data,
      count,
      ...(!tenant && offset + page.length < count && { nextOffset: offset + page.length }),
    };
    res.json(body);
  });
  router.get('/usage/:tenant', async (req, res) => {
    const { tenant } = parseQuery(TenantUsageQuery.pick({ tenant: true }).required(), { tenant: req.params.tenant });
    const range = dayRange(parseQuery(UsageQuery, req.query));
    res.json(await tenantUsage(ledger, tenant, range));
  });
  return router;
}

async function tenantUsage(
  ledger: UsageLedger,
  tenantId: string,
  range: { from: string; to: string } | undefined,
): Promise<UsageView> {
  const [totals, models, days] = await Promise.all([
    ledger.totals(tenantId),
    ledger.models(tenantId),
    range ? ledger.days(tenantId, range.from, range.to) : undefined,
  ]);
  return {
    object: 'usage',
    tenant: tenantId,
    ...usageFigures(totals),
    models: models.map((m) => ({ model: m.modelId, ...usageFigures(m.usage) })),
    ...(days && { days: days.map((d) => ({ date: d.date, ...usageFigures(d.usage) })) }),
  };
}
