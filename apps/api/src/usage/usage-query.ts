import { z } from 'zod';
import { tenantIdSchema } from '@dreamqueue/contracts';
import { badRequest } from '@dreamqueue/errors';
import { usageDay } from '@dreamqueue/records';

/** The longest day range one request may ask for. */
export const MAX_USAGE_DAYS = 366;
const DAY_MS = 24 * 3600 * 1000;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a UTC date, YYYY-MM-DD')
  .refine((v) => {
    const at = Date.parse(`${v}T00:00:00Z`);
    return !Number.isNaN(at) && usageDay(at) === v;
  }, 'not a calendar date');

/** `from`/`to`: a per-day breakdown, both days included (one alone: 30 days up to `to`, or `from` to today). */
export const UsageQuery = z.strictObject({ from: day.optional(), to: day.optional() });

export const TenantUsageQuery = z.strictObject({
  tenant: tenantIdSchema.optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  throw badRequest(
    'invalid_query',
    'The query parameters are not valid.',
    parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
  );
}

/** The day range asked for, if any, with the defaults filled in and its bounds checked. */
export function dayRange(
  query: z.output<typeof UsageQuery>,
  now = Date.now(),
): { from: string; to: string } | undefined {
  if (query.from === undefined && query.to === undefined) return undefined;
  const to = query.to ?? usageDay(now);
  const from = query.from ?? usageDay(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days < 1) throw badRequest('invalid_query', '`from` must not be after `to`.');
  if (days > MAX_USAGE_DAYS) throw badRequest('invalid_query', `At most ${MAX_USAGE_DAYS} days per request.`);
  return { from, to };
}
