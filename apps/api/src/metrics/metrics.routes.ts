import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { type Registry } from 'prom-client';
import { AppError } from '@dreamqueue/errors';
import { type ApiMetrics } from './api-metrics';

/**
 * `GET /metrics` (Prometheus text format); the timing of every request is `metrics.middleware`, mounted on
 * its own before the routers. With `token` set, scrapers must send `Authorization: Bearer
 * <token>`; without one (local mode) it is open. It is mounted before API-key authentication on purpose:
 * a scraper is not a tenant.
 */
export function metricsRoutes(metrics: Pick<ApiMetrics, 'registry'>, token?: string): Router {
  const router = Router({ caseSensitive: true });
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
