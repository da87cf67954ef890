import { tenantIdSchema } from '@dreamqueue/contracts';
import { TenantUsageQuery, UsageQuery } from '../../usage/usage-query';
import { type OperationSpec, type ParameterSpec } from '../operation-spec';
import { TenantUsageList, Usage } from '../resource-schemas';
import { json, pathId } from './common-parameters';

const query = (shape: Record<string, ParameterSpec['schema']>): ParameterSpec[] =>
  Object.entries(shape).map(([name, schema]) => ({ in: 'query' as const, name, schema }));
const COUNTED =
  'GPU seconds are what the worker measured: each MME invocation the model answered (from the call to its answer), and each training for the seconds its container reports (or, without that figure, from its submission to the check that saw its result). See docs/operations.md, "Cost ledger".';

/** The cost ledger: a tenant's own GPU time, and every tenant's for operators. */
export const USAGE_OPERATIONS: OperationSpec[] = [
  {
    method: 'get',
    path: '/v1/usage',
    operationId: 'getUsage',
    tag: 'Usage',
    summary: 'The caller’s GPU time: in total, per model, and per UTC day for a range',
    description: COUNTED,
    access: 'tenant',
    parameters: query(UsageQuery.shape),
    responses: { 200: { description: 'The caller’s usage.', content: json(Usage) } },
    errors: { 400: ['invalid_query'] },
  },
  {
    method: 'get',
    path: '/v1/admin/usage',
    operationId: 'listTenantUsage',
    tag: 'Operators',
    summary: 'Every tenant’s GPU time, largest first (or one tenant’s, with `tenant`)',
    description: COUNTED,
    access: 'operator',
    parameters: query(TenantUsageQuery.shape),
    responses: { 200: { description: 'A page of tenants.', content: json(TenantUsageList) } },
    errors: { 400: ['invalid_query'] },
  },
  {
    method: 'get',
    path: '/v1/admin/usage/{tenant}',
    operationId: 'getTenantUsage',
    tag: 'Operators',
    summary: 'One tenant’s GPU time, as that tenant sees it at `GET /v1/usage`',
    access: 'operator',
    parameters: [pathId('tenant', tenantIdSchema), ...query(UsageQuery.shape)],
    responses: { 200: { description: 'The tenant’s usage.', content: json(Usage) } },
    errors: { 400: ['invalid_query'] },
  },
];
