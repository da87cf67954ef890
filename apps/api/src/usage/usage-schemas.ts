import { z } from 'zod';

const seconds = z.number().min(0).meta({ description: 'GPU seconds, to the millisecond.' });

/** GPU time of one scope (a tenant, one model, one day), by what it was spent on. */
const UsageFigures = {
  gpuSeconds: seconds,
  generate: z.strictObject({
    gpuSeconds: seconds,
    invocations: z.number().int().min(0).meta({ description: 'MME invocations the model answered.' }),
    images: z.number().int().min(0),
  }),
  train: z.strictObject({
    gpuSeconds: seconds,
    trainings: z.number().int().min(0).meta({ description: 'Training submissions whose result was seen.' }),
  }),
};

/** `GET /v1/usage`: one tenant's cost ledger. */
export const Usage = z.strictObject({
  object: z.literal('usage'),
  tenant: z.string(),
  ...UsageFigures,
  models: z.array(z.strictObject({ model: z.string(), ...UsageFigures })),
  /** Per UTC day, only when a range was asked for (`from`/`to`). */
  days: z.array(z.strictObject({ date: z.string(), ...UsageFigures })).optional(),
});
export type UsageView = z.output<typeof Usage>;

/** `GET /v1/admin/usage`: tenants by GPU time, largest first. */
export const TenantUsageList = z.strictObject({
  data: z.array(z.strictObject({ tenant: z.string(), ...UsageFigures })),
  /** Tenants with any recorded usage. */
  count: z.number().int().min(0),
  /** The offset of the next page; absent on the last. */
  nextOffset: z.number().int().min(0).optional(),
});
export type TenantUsageListView = z.output<typeof TenantUsageList>;
