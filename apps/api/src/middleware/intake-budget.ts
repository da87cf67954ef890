import { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '@dreamqueue/errors';

/** Upload routes under /v1 and the most one request to each may send (its own limit). */
export type IntakeRoutes = Record<string, number>;

/**
 * A process-wide ceiling on request bytes being received by the upload routes (`POST /v1/models`,
 * `POST /v1/batches`), which hold what they read in memory until it is validated and stored. Each request
 * reserves its Content-Length (or, without one, its route's limit) before its body is read, and gives it
 * back when the response ends; a request that would pass the ceiling is answered 503 `intake_busy` with
 * `Retry-After`, and nothing is read. So a dozen large uploads cannot exhaust the task's memory.
 */
export class IntakeBudget {
  private inFlight = 0;

  constructor(
    readonly maxBytes: number,
    private readonly routes: IntakeRoutes,
  ) {}

  /** Bytes reserved right now (for metrics and tests). */
  get reservedBytes(): number {
    return this.inFlight;
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const routeLimit = req.method === 'POST' ? this.routes[req.path] : undefined;
      if (routeLimit === undefined) return next();
      const declared = Number(req.headers['content-length']);
      const bytes = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, routeLimit) : routeLimit;
      if (this.inFlight + bytes > this.maxBytes) {
        return next(
          new AppError(
            'intake_busy',
            'The API is receiving too many uploads at once; nothing was read. Retry shortly.',
            {
              status: 503,
              retryable: true,
              details: { retryAfterSeconds: 5 },
            },
          ),
        );
      }
      this.inFlight += bytes;
      let released = false;
      res.once('close', () => {
        if (released) return;
        released = true;
        this.inFlight -= bytes;
      });
      next();
    };
  }
}
