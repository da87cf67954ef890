import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';

const INCOMING = /^[A-Za-z0-9._-]{8,64}$/;

/** Reuse a caller's X-Request-Id when it is well formed, otherwise make one, and echo it. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && INCOMING.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}
