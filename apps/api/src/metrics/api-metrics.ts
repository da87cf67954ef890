import { type NextFunction, type Request, type Response } from 'express';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type Queue } from 'bullmq';
import { registerQueueGauges } from './queue-gauges';

/**
 * The API's Prometheus metrics on its own Registry: request durations by method, route template and
 * status, and queue depth / oldest-waiting age for every queue (collected on scrape).
 */
export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Times every request; mount before the routers. */
  middleware(req: Request, res: Response, next: NextFunction): void;
}

export function createApiMetrics(options: { queues: Queue[]; defaultMetrics?: boolean }): ApiMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  registerQueueGauges(registry, options.queues);
  const httpDuration = new Histogram({
    name: 'dq_http_request_duration_seconds',
    help: 'API request duration by method, route template and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const observe = durationObserver(httpDuration);
  return {
    registry,
    httpDuration,
    middleware(req, res, next) {
      captureRoutes(Object.getPrototypeOf(req) as object);
      const start = process.hrtime.bigint();
      res.once('finish', () => {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        observe(req.method, capturedOf(res)?.template ?? 'unmatched', res.statusCode, seconds);
      });
      next();
    },
  };
}

type Observer = (method: string, route: string, status: number, seconds: number) => void;

/**
 * Observes a request's duration through the histogram's child for its labels, made once per method, route
 * template and status and kept: `startTimer` and `observe({labels})` build label objects and closures for
 * every request. The children are as many as the histogram's series (routes are templates, methods those
 * Node's parser accepts), and a child reads the histogram's current values, so a reset registry still counts.
 */
function durationObserver(histogram: Histogram<'method' | 'route' | 'status'>): Observer {
  const children = new Map<string, { observe(seconds: number): void }>();
  return (method, route, status, seconds) => {
    const series = `${method} ${status} ${route}`;
    let child = children.get(series);
    if (!child) {
      child = histogram.labels({ method, route, status: String(status) });
      children.set(series, child);
    }
    child.observe(seconds);
  };
}

const CAPTURED = Symbol('route');
/** The route the router assigned to a request, and its template at that moment. */
interface Captured {
  route: unknown;
  template?: string;
}
const capturing = new WeakSet<object>();

/** Kept in the response's `locals`, the request's one dictionary object (see `captureRoutes`). */
function capturedOf(res: Response | undefined): Captured | undefined {
  return (res?.locals as Record<symbol, Captured | undefined> | undefined)?.[CAPTURED];
}

/**
 * The matched route template (`/v1/admin/webhooks/:eventId`), never the raw URL: ids in labels would
 * explode cardinality. Express restores `req.baseUrl` when an error leaves a router, so the template is
 * captured at the moment the router assigns `req.route`: by an accessor on the app's request prototype,
 * installed once rather than defined on every request. What it captures goes to `res.locals`, not onto the
 * request: Express gives each request the app's prototype, after which every field added to it makes a new
 * hidden class (microseconds each on Node 20), where `locals` is a dictionary that takes one cheaply.
 */
function captureRoutes(requestPrototype: object): void {
  if (capturing.has(requestPrototype)) return;
  capturing.add(requestPrototype);
  Object.defineProperty(requestPrototype, 'route', {
    configurable: true,
    get(this: Request) {
      return capturedOf(this.res)?.route;
    },
    set(this: Request, value: { path?: unknown } | undefined) {
      const locals = this.res?.locals as Record<symbol, Captured> | undefined;
      // Express links every request to its response before it reaches a router.
      if (!locals) return;
      locals[CAPTURED] = {
        route: value,
        template: typeof value?.path === 'string' ? `${this.baseUrl}${value.path}` : capturedOf(this.res)?.template,
      };
    },
  });
}
