import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { type Registry } from 'prom-client';
import { AppError } from '@dreamqueue/errors';
import { type ApiMetrics } from './api-metrics';

/**
 * `GET /metrics` (Prometheus text format). With `token` set, scrapers must send `Authorization: Bearer
 * <token>`; without one (local mode) it is open. It is mounted before API-key authentication on purpose:
 * a scraper is not a tenant.
 */
export function metricsRoutes(metrics: Pick<ApiMetrics, 'registry' | 'middleware'>, token?: string): Router {
  const router = Router({ caseSensitive: true });
  // Runs for every request that reaches the public routers, i.e. all but the health probes.
  router.use(metrics.middleware);
  router.get('/metrics', async (req, res, next) => {
    if (!bearerMatches(req.headers.authorization, token)) {
      return next(
        new AppError('unauthorized', 'A metrics token is required: send "Authorization: Bearer <METRICS_TOKEN>".', {
          status: 401,
        }),
      );
    }
    const registry: Registry = metrics.registry;
    res.set('content-type', registry.contentType).send(await registry.metrics());
  });
  return router;
}

function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const presented = Buffer.from(header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
