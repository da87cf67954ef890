import { tenantIdSchema } from '@dreamqueue/contracts';
import { QuotaLimitsUpdate } from '../../quotas/quota-update';
import { Quotas } from '../resource-schemas';
import { type OperationSpec } from '../operation-spec';
import { json, pathId } from './common-parameters';

const tenantId = pathId('tenantId', tenantIdSchema);

/** A tenant's quotas: its own view, and the operator and admin views of any tenant. */
export const QUOTA_OPERATIONS: OperationSpec[] = [
  {
    method: 'get',
    path: '/v1/quotas',
    operationId: 'getQuotas',
    tag: 'Quotas',
    summary: 'The caller’s quotas and what counts against them now',
    description:
      'Over a quota, a create answers 429 `<quota>_quota_exceeded` with `Retry-After` (or 422 `request_exceeds_quota` when the request alone is larger than the limit), and nothing is accepted.',
    access: 'tenant',
    responses: { 200: { description: 'Limits and usage.', content: json(Quotas) } },
  },
  {
    method: 'get',
    path: '/v1/admin/tenants/{tenantId}/quotas',
    operationId: 'getTenantQuotas',
    tag: 'Operators',
    summary: 'A tenant’s quotas and usage',
    access: 'operator',
    parameters: [tenantId],
    responses: { 200: { description: 'Limits and usage.', content: json(Quotas) } },
    errors: { 404: ['not_found'] },
  },
  {
    method: 'put',
    path: '/v1/admin/tenants/{tenantId}/quotas',
    operationId: 'setTenantQuotas',
    tag: 'Operators',
    summary: 'Set or clear some of a tenant’s limits',
    description:
      'Only the limits named change: a number sets it, `null` clears it (back to the operator default, or unlimited). Lowering a limit below current usage refuses new work until usage falls; nothing accepted is removed.',
    access: 'admin',
    parameters: [tenantId],
    requestBody: { content: json(QuotaLimitsUpdate) },
    responses: { 200: { description: 'The tenant’s quotas after the change.', content: json(Quotas) } },
    errors: { 400: ['invalid_quota', 'invalid_json'], 404: ['not_found'], 413: ['payload_too_large'] },
  },
];
