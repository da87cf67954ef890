import { type RequestHandler, type Router } from 'express';

/**
 * An API module: one feature's wiring (the worker's `*.module.ts` are the same idea), built by a function
 * `<feature>Module(deps)` from the connections `main.ts` makes. Every module returns this shape; `createApp`
 * mounts `public` before authentication, `v1` under /v1 after it, and `admin` under /v1/admin after the
 * operator role check.
 */
export interface ApiModule {
  /** Routers, and middleware that runs for every request reaching the public part (the request timing). */
  public: Array<Router | RequestHandler>;
  v1: Router[];
  admin: Router[];
}
