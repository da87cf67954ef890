import { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';

/** What this file reads of a router: its layers' paths (`rawPath`, router 2.x) and its case sensitivity. */
interface RouterShape {
  caseSensitive?: boolean;
  stack: Array<{ rawPath?: unknown; route?: unknown }>;
}

/** A path segment with a parameter, wildcard or group in it can match many segments. */
const PATTERN = /[:*{}()?+\\[\]]/;

/**
 * The paths one layer can match: exactly `path` (a route whose path is all literal), or `path` and the paths
 * under it (a mounted path, or a route with a parameter after its literal segments). `path` has no trailing
 * slash: `''` under `/`.
 */
interface Reach {
  path: string;
  exact: boolean;
}

/**
 * `router`, entered only by requests whose path one of its layers can match (a router with `/generations` and
 * `/generations/:id` is skipped for `/models/…`, one with only `/v1/notifications/sns` for `/v1/generations`).
 * Express otherwise walks every router mounted before the one that answers, matching each of its layers. The
 * paths are read from the router's layers when this is called (mount routers once their routes are
 * declared); a router with a layer that may match any path (middleware without a path, a parameter in the
 * first segment, a non-string path) is always entered, as is a request whose URL does not start with `/`.
 * Matching keeps the router's own case sensitivity. A router may be entered by a path none of its layers
 * matches (a trailing slash under `strict`), never skipped by one that one of them matches.
 */
export function servedOnly(router: Router | RequestHandler): RequestHandler {
  const shape = router as unknown as Partial<RouterShape>;
  // A plain middleware is not a router: it runs for every request.
  if (!Array.isArray(shape.stack)) return router;
  const caseSensitive = shape.caseSensitive === true;
  const reaches = reachesOf(shape as RouterShape, caseSensitive);
  if (!reaches) return router;
  const gate = (req: Request, res: Response, next: NextFunction) => {
    const path = pathOf(req.url, caseSensitive);
    if (path === undefined || reachable(path, reaches)) {
      router(req, res, next);
    } else {
      next();
    }
  };
  // The router stays reachable from the mounted handler, for whatever lists the app's routes.
  return Object.assign(gate, { router });
}

function reachesOf(router: RouterShape, caseSensitive: boolean): Reach[] | undefined {
  const reaches: Reach[] = [];
  for (const layer of router.stack) {
    const paths: unknown[] = Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath];
    for (const path of paths) {
      if (typeof path !== 'string' || !path.startsWith('/')) return undefined;
      const segments = (caseSensitive ? path : path.toLowerCase()).split('/').slice(1);
      if (segments[segments.length - 1] === '') segments.pop();
      const literal = segments.findIndex((segment) => PATTERN.test(segment));
      const prefix = literal === -1 ? segments : segments.slice(0, literal);
      const exact = layer.route !== undefined && literal === -1;
      // Under `/` and not exactly `/`: every path.
      if (prefix.length === 0 && !exact) return undefined;
      reaches.push({ path: prefix.map((segment) => `/${segment}`).join(''), exact });
    }
  }
  return reaches;
}

/** `/generations/gen_1?x=1` → `/generations/gen_1` (`''` for `/`), as matched; `undefined` for a URL that is not a path. */
function pathOf(url: string, caseSensitive: boolean): string | undefined {
  if (url[0] !== '/') return undefined;
  const query = url.indexOf('?');
  let path = query === -1 ? url : url.slice(0, query);
  // A route or mount matches with one trailing slash as without it (unless `strict`: entered then, harmlessly).
  if (path.endsWith('/')) path = path.slice(0, -1);
  return caseSensitive ? path : path.toLowerCase();
}

function reachable(path: string, reaches: readonly Reach[]): boolean {
  for (const reach of reaches) {
    if (path === reach.path) return true;
    if (!reach.exact && path.startsWith(reach.path) && path[reach.path.length] === '/') return true;
  }
  return false;
}
