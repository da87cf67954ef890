import { Router } from 'express';
import { z } from 'zod';
import { badRequest } from '@dreamqueue/errors';
import { idSchema, tenantIdSchema } from '@dreamqueue/contracts';
import { decodeCursor, type JobIndex, type JobIndexEntry } from '@dreamqueue/records';

export const JobSearchQuery = z.strictObject({
  tenant: tenantIdSchema.optional(),
  model: idSchema('model').optional(),
  status: z
    .string()
    .regex(/^[a-z_]{1,32}$/, 'expected a status such as queued, running, ready, failed')
    .optional(),
  kind: z.enum(['model', 'generation', 'batch']).optional(),
  /** ISO 8601 time or epoch milliseconds. */
  since: z
    .string()
    .transform((v, ctx) => {
      const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
      if (Number.isNaN(ms))
        ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 time or epoch milliseconds' });
      return ms;
    })
    .optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Where the resource is read in the API: the dashboard and search results link to it. */
export function resourcePath(entry: Pick<JobIndexEntry, 'kind' | 'id'>): string {
  return `/v1/${entry.kind === 'batch' ? 'batches' : `${entry.kind}s`}/${entry.id}`;
}

/**
 * `GET /v1/admin/jobs`: operator search over every tenant's models, generations and batches by tenant,
 * model, status, kind and time, newest change first, paginated with an opaque cursor. Served from the
 * side index the workers maintain from the event stream (eventually consistent: usually < 1 s behind).
 */
export function jobsRoutes(index: JobIndex): Router {
  const router = Router({ caseSensitive: true });
  router.get('/jobs', async (req, res) => {
    const parsed = JobSearchQuery.safeParse(req.query);
    if (!parsed.success) {
      throw badRequest(
        'invalid_query',
        'The search parameters are not valid.',
        parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      );
    }
    const { cursor, ...query } = parsed.data;
    if (cursor !== undefined) {
      try {
        decodeCursor(cursor);
      } catch {
        throw badRequest('invalid_cursor', 'The cursor is not one this API returned.');
      }
    }
    const page = await index.search({ ...query, cursor });
    res.json({
      data: page.entries.map((e) => ({
        ...e,
        createdAt: new Date(e.createdAt).toISOString(),
        updatedAt: new Date(e.updatedAt).toISOString(),
        links: { resource: resourcePath(e) },
      })),
      nextCursor: page.nextCursor ?? null,
    });
  });
  return router;
}
