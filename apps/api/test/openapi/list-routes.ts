/**
 * The routes an Express 5 app serves, found by walking its router stack (router 2.x: each layer keeps the
 * path it was mounted at as `rawPath`; a route layer has `route.path` and `route.methods`). Middleware
 * without routes (static files, authentication, error handlers) is not a route and is skipped.
 */
interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[]; router?: { stack?: Layer[] } };
}

export interface ServedRoute {
  method: string;
  /** OpenAPI style: `/v1/models/{id}`. */
  path: string;
}

/**
 * Mounts whose inner routes belong to a bundled UI rather than the API (Bull Board): each counts as one
 * `GET <mount>` route.
 */
const OPAQUE_MOUNTS = ['/admin/queues'];

export function listRoutes(app: { router: { stack: Layer[] } }): ServedRoute[] {
  const routes: ServedRoute[] = [];
  walk(app.router.stack, '', routes);
  const unique = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
  return [...unique.values()];
}

function walk(stack: Layer[], prefix: string, out: ServedRoute[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const path = join(prefix, String(layer.route.path));
      for (const [method, on] of Object.entries(layer.route.methods))
        if (on) out.push({ method: method === '_all' ? 'all' : method, path });
      continue;
    }
    const inner = layer.handle?.stack ?? layer.handle?.router?.stack;
    if (!inner) continue;
    if (typeof layer.rawPath !== 'string') throw new Error(`A router is mounted at a non-string path under ${prefix}`);
    const mount = join(prefix, layer.rawPath);
    if (OPAQUE_MOUNTS.includes(mount)) out.push({ method: 'get', path: mount });
    else walk(inner, mount === '/' ? '' : mount, out);
  }
}

function join(prefix: string, path: string): string {
  const joined = `${prefix}${path === '/' && prefix ? '' : path}` || '/';
  return joined.replace(/[:*]([A-Za-z0-9_]+)/g, '{$1}');
}
