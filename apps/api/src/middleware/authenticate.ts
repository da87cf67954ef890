import { type NextFunction, type Request, type Response } from 'express';
import { type Redis } from 'ioredis';
import { forbidden, tooManyRequests, unauthorized } from '@dreamqueue/errors';
import { type KeySpace } from '@dreamqueue/redis';
import { hasRole, type Role } from '../auth/api-key';
import { type Principal } from '../auth/api-key';
import { type ApiKeyStore } from '../auth/api-key.store';

export interface AuthenticateDeps {
  apiKeys: ApiKeyStore;
  redis: Redis;
  keySpace: KeySpace;
  failuresPerMinute: number;
  /** Answer with a Basic challenge so a browser shows a login prompt (the dashboard). */
  basicChallenge?: boolean;
}

/** The principal `authenticate` resolved for this request. */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw unauthorized();
  return principal;
}

/**
 * Accepts `Authorization: Bearer <key>` (API clients) or Basic with the key as password (the dashboard in a
 * browser). Unknown, malformed and revoked keys get the same 401; failures are rate-limited per client IP.
 */
export function authenticate(deps: AuthenticateDeps) {
  // A key remembered by the store is answered synchronously: no promise and no microtask before the next
  // handler, on nearly every request. Anything else takes the asynchronous path (Redis, the failure count).
  return (req: Request, res: Response, next: NextFunction): Promise<void> | void => {
    const key = presentedKey(req.headers.authorization);
    const remembered = key ? deps.apiKeys.remembered(key) : undefined;
    if (!remembered) return resolve(deps, key, req, res, next);
    res.locals.principal = remembered;
    next();
  };
}

async function resolve(
  deps: AuthenticateDeps,
  key: string | undefined,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  const principal = key ? await deps.apiKeys.authenticate(key) : undefined;
  if (principal) {
    res.locals.principal = principal;
    return next();
  }
  await countFailure(deps, req.ip ?? 'unknown');
  if (deps.basicChallenge) res.setHeader('www-authenticate', 'Basic realm="dreamqueue operators", charset="UTF-8"');
  next(unauthorized());
}

export function requireRole(role: Role) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const principal = principalOf(res);
    next(hasRole(principal.role, role) ? undefined : forbidden(`This action needs the ${role} role.`));
  };
}

/** `<scheme> <credentials>` with exactly one space and nothing after: a header with more is refused. */
const AUTHORIZATION = /^([A-Za-z]+) ([A-Za-z0-9._~+/=-]+)$/;

function presentedKey(header: string | undefined): string | undefined {
  const match = header === undefined ? null : AUTHORIZATION.exec(header);
  if (!match) return undefined;
  const [, scheme, value] = match as unknown as [string, string, string];
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

async function countFailure(deps: AuthenticateDeps, ip: string): Promise<void> {
  const key = deps.keySpace.key('authfail', ip, String(Math.floor(Date.now() / 60_000)));
  const [[, count]] = (await deps.redis.multi().incr(key).expire(key, 120).exec()) as [[null, number]];
  if (count > deps.failuresPerMinute) {
    throw tooManyRequests('too_many_auth_failures', 'Too many failed authentications; wait a minute.', 60);
  }
}
