import { timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Registry } from 'prom-client';

/**
 * The worker's probe and scrape port.
 * - `/readyz` (readiness): 200 only if the canary made a round trip within `readyMaxAgeMs`.
 * - `/healthz` (liveness): 503 when Redis is connected but the canary has not come back for
 *   `liveMaxAgeMs` — the wedged-consumer case a restart fixes. During a plain Redis outage liveness
 *   stays green: restarting the process would not bring Redis back.
 * - `/metrics`: Prometheus text, behind `Authorization: Bearer <token>` when a token is configured.
 */
export interface HealthServerOptions {
  port: number;
  host: string;
  canaryAge: () => number;
  canaryLatencyMs?: () => number | undefined;
  redisConnected: () => boolean;
  readyMaxAgeMs: number;
  liveMaxAgeMs: number;
  registry?: Registry;
  metricsToken?: string;
  /** Told about a request that failed inside the server (a metric collector that threw); it answered 500. */
  onError?: (err: unknown) => void;
}

export interface HealthServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    // A handler that rejects (a collector that throws) answers 500 instead of leaving an unhandled rejection.
    route(options, req, res).catch((err: unknown) => {
      options.onError?.(err);
      if (res.headersSent) res.destroy();
      else json(res, 500, { error: { code: 'internal_error', message: 'The health server failed to answer.' } });
    });
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(options: HealthServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const age = options.canaryAge();
  const canary = { lastRoundTripAgoMs: age, latencyMs: options.canaryLatencyMs?.() };
  const redis = options.redisConnected() ? 'connected' : 'disconnected';
  if (path === '/readyz') {
    const ready = age <= options.readyMaxAgeMs;
    return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', canary, redis });
  }
  if (path === '/healthz') {
    const wedged = redis === 'connected' && age > options.liveMaxAgeMs;
    return json(res, wedged ? 503 : 200, { status: wedged ? 'stalled' : 'ok', canary, redis });
  }
  if (path === '/metrics' && options.registry) {
    if (!authorized(req.headers.authorization, options.metricsToken))
      return json(res, 401, { error: { code: 'unauthorized', message: 'A metrics token is required.' } });
    const text = await options.registry.metrics();
    res.writeHead(200, { 'content-type': options.registry.contentType });
    res.end(text);
    return;
  }
  json(res, 404, { error: { code: 'route_not_found', message: 'No such route.' } });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Constant-time bearer check; no token configured means the endpoint is open (local mode). */
export function authorized(header: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const presented = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
