import { type z } from 'zod';
import { type Quotas } from '../openapi/resource-schemas';
import { type QuotaView } from './tenant-quotas';

export function quotasView(tenantId: string, view: QuotaView): z.output<typeof Quotas> {
  return { object: 'quotas', tenantId, ...view };
}
