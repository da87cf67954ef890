import { type ApiModule } from '../api-module';
import { type TenantQuotas } from './tenant-quotas';
import { quotaAdminRoutes, quotaRoutes } from './quotas.routes';

/**
 * Tenant quotas: `GET /v1/quotas` for a tenant, `GET|PUT /v1/admin/tenants/{tenantId}/quotas` for
 * operators and admins. The quotas are enforced where work is accepted (models, generations, batches),
 * which share the same `TenantQuotas`.
 */
export function quotasModule(deps: { quotas: TenantQuotas }): ApiModule {
  return { public: [], v1: [quotaRoutes(deps.quotas)], admin: [quotaAdminRoutes(deps.quotas)] };
}
