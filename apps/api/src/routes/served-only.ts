import { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';

/** What this file reads of a router: its layers' paths (`rawPath`, router 2.x) and its case sensitivity. */
interface RouterShape {
  caseSensitive?: boolean;
  stack: Array<{ rawPath?: unknown; route?: unknown }>;
}

/** A first path segment with a parameter, wildcard or group in it can match many segments. */
const PATTERN = /[:*{}()?+\\[\]]/;

/**
 * `router`, entered only by requests whose first path segment one of its layers is mounted under (a router
 * with `/generations` and `/generations/:id` is skipped for `/models/…`). Express otherwise walks every
 * router mounted before the one that answers, matching each of its layers and leaving it through a
 * `setImmediate`. The segments are read from the router's layers when this is called (mount routers once
 * their routes are declared); a router with a layer that may match any path (middleware without a path, a
 * parameter in the first segment, a non-string path) is always entered, as is a request whose URL does not
 * start with `/`. Matching keeps the router's own case sensitivity.
 */
export function servedOnly(router: Router | RequestHandler): RequestHandler {
  const shape = router as unknown as Partial<RouterShape>;
  // A plain middleware is not a router: it runs for every request.
  if (!Array.isArray(shape.stack)) return router;
  const caseSensitive = shape.caseSensitive === true;
  const segments = firstSegments(shape as RouterShape, caseSensitive);
  if (!segments) return router;
  const gate = (req: Request, res: Response, next: NextFunction) => {
    const segment = firstSegment(req.url);
    if (segment === undefined || segments.has(caseSensitive ? segment : segment.toLowerCase())) {
      router(req, res, next);
    } else {
      next();
    }
  };
  // The router stays reachable from the mounted handler, for whatever lists the app's routes.
  return Object.assign(gate, { router });
}

function firstSegments(router: RouterShape, caseSensitive: boolean): Set<string> | undefined {
  const segments = new Set<string>();
  for (const layer of router.stack) {
    const paths: unknown[] = Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath];
    for (const path of paths) {
      if (typeof path !== 'string' || !path.startsWith('/')) return undefined;
      const segment = path.slice(1).split('/')[0]!;
      if (segment === '' || PATTERN.test(segment)) return undefined;
      segments.add(caseSensitive ? segment : segment.toLowerCase());
    }
  }
  return segments;
}

/** `/generations/gen_1?x=1` → `generations`; `undefined` for a URL that is not a path. */
function firstSegment(url: string): string | undefined {
  if (url[0] !== '/') return undefined;
  let end = 1;
  while (end < url.length && url[end] !== '/' && url[end] !== '?') end++;
  return url.slice(1, end);
}
