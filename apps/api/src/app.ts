import express, { type Express, type RequestHandler, type Router } from 'express';
import { type TrustProxy } from './config';
import { type Queue } from 'bullmq';
import { type Redis } from 'ioredis';
import { type Logger } from '@dreamqueue/logger';
import { type KeySpace } from '@dreamqueue/redis';
import { bullBoardRouter, BULL_BOARD_PATH } from './admin/bull-board';
import { type ApiKeyStore } from './auth/api-key.store';
import { authenticate, requireRole } from './middleware/authenticate';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { type IntakeBudget } from './middleware/intake-budget';
import { accessLog } from './middleware/access-log';
import { apiReferenceRoutes } from './openapi/api-reference.routes';
import { healthRoutes, type ReadinessCheck } from './routes/health.routes';
import { servedOnly } from './routes/served-only';

export interface AppDeps {
  logger: Logger;
  redis: Redis;
  keySpace: KeySpace;
  apiKeys: ApiKeyStore;
  /** Every queue, for the dashboard. */
  queues: Queue[];
  readiness: ReadinessCheck[];
  /** Tenant-facing routers mounted under /v1 after authentication. */
  v1Routers?: Router[];
  /** Operator routers mounted under /v1/admin after the operator role check. */
  adminRouters?: Router[];
  /**
   * Routers served before authentication (e.g. /metrics, notification receivers), and middleware run for
   * every request that reaches them (the request timing).
   */
  publicRouters?: Array<Router | RequestHandler>;
  adminEnabled?: boolean;
  authFailuresPerMinute?: number;
  /** Ceiling on upload bytes in flight across the process (`INTAKE_MAX_BYTES_IN_FLIGHT`). */
  intakeBudget?: IntakeBudget;
  /** Express `trust proxy`: which peers' X-Forwarded-For names the client (`TRUST_PROXY`). @defaultValue false */
  trustProxy?: TrustProxy;
}

/** Builds the Express app without listening, so tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Paths match by exact case: the load balancer hides `/admin*` case-sensitively, so must the app
  // (and a metrics label is then always the template, never the client's spelling).
  app.set('case sensitive routing', true);
  // The client IP (failure buckets, logs) comes from X-Forwarded-For only when its sender is a trusted proxy.
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(accessLog(app, deps.logger));

  // Each request enters only the routers with a route under its first path segment (see servedOnly).
  app.use(servedOnly(healthRoutes(deps.readiness)));
  app.use(servedOnly(apiReferenceRoutes()));
  for (const router of deps.publicRouters ?? []) app.use(servedOnly(router));

  const auth = authenticate(authDeps(deps));
  if (deps.adminEnabled ?? true) {
    const dashboardAuth = authenticate({ ...authDeps(deps), basicChallenge: true });
    app.use(BULL_BOARD_PATH, dashboardAuth, requireRole('operator'), bullBoardRouter(deps.queues));
    app.use('/v1/admin', auth, requireRole('operator'), ...(deps.adminRouters ?? []).map(servedOnly));
  }
  const gates = deps.intakeBudget ? [deps.intakeBudget.middleware()] : [];
  app.use('/v1', auth, ...gates, ...(deps.v1Routers ?? []).map(servedOnly));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

const authDeps = (deps: AppDeps) => ({
  apiKeys: deps.apiKeys,
  redis: deps.redis,
  keySpace: deps.keySpace,
  failuresPerMinute: deps.authFailuresPerMinute ?? 30,
});
