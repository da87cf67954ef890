import { z } from 'zod';

const limit = z
  .number()
  .int()
  .min(0)
  .max(1_000_000_000)
  .nullable()
  .optional()
  .meta({ description: 'A limit (0 refuses everything), or null to clear it (back to the operator default).' });

/** `PUT /v1/admin/tenants/{tenantId}/quotas` body: only the limits named change. */
export const QuotaLimitsUpdate = z.strictObject({
  queuedItems: limit.meta({ description: 'Generation items (images) queued or running at once.' }),
  concurrentTrainings: limit.meta({ description: 'Trainings running at once (queued to registering).' }),
  imagesPerMinute: limit.meta({ description: 'Images accepted in any 60 seconds (generations and batch items).' }),
});
