import { type Express, type NextFunction, type Request, type Response } from 'express';
import { type Logger } from '@dreamqueue/logger';
import { requestId } from './request-id';

declare module 'http' {
  interface IncomingMessage {
    /** The API logger bound to this request (`req` fields), made on first use. */
    log: Logger;
  }
}

/** Probes answer many times a minute; a line each would drown the access log. */
const UNLOGGED = new Set(['/healthz', '/readyz']);
/** The query string carries presigned-URL signatures and tokens; the logger would redact it anyway. */
const REDACTED = '[Redacted]';
/**
 * Of the API logger's redaction paths (`REDACT_PATHS`, with wildcards checked against every field), those an
 * access line can hold: its shape is fixed, so these exact paths redact it the same way at a fraction of the
 * cost.
 */
export const ACCESS_LINE_REDACT_PATHS = [
  'req.url',
  'req.query',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

/** What an access line says about the request, read when it arrives (as it reached the API). */
interface RequestFields {
  id: string;
  method: string | undefined;
  url: string;
  query: string;
  params: unknown;
  headers: Request['headers'];
  remoteAddress: string | undefined;
  remotePort: number | undefined;
}

/**
 * One access line per request (`request completed`, or `request errored` for a 5xx) when its response
 * closes, with the request, the tenant, the response status and headers and the time taken, and a request id
 * echoed in `X-Request-Id`. The line is one plain object logged once through a child of the API logger that
 * redacts what such a line can hold (credentials, the query string, the URL); no logger is made per request
 * unless a route asks for `req.log`, which is then bound to the request and redacted as every API line.
 */
export function accessLog(app: Express, logger: Logger) {
  const access = logger.child({}, { redact: { paths: ACCESS_LINE_REDACT_PATHS, censor: REDACTED } });
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      const log = logger.child({ req: requestFields(this, String(this.res?.getHeader('x-request-id'))) });
      Object.defineProperty(this, 'log', { value: log, configurable: true, writable: true });
      return log;
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    // The id stays in this closure and the response header, not on `req`: a field added to a request once
    // Express has swapped its prototype costs microseconds on Node 20 (a new hidden class per request).
    const id = requestId(req, res);
    if (UNLOGGED.has(req.url)) return next();
    const start = Date.now();
    const fields = requestFields(req, id);
    // `close` follows `finish`, and also ends a response the client abandoned: one line either way.
    res.once('close', () => logCompleted(access, fields, res, Date.now() - start));
    next();
  };
}

function requestFields(req: Request, id: string): RequestFields {
  return {
    id,
    method: req.method,
    url: req.originalUrl || req.url,
    query: REDACTED,
    params: req.params,
    headers: req.headers,
    remoteAddress: req.socket.remoteAddress,
    remotePort: req.socket.remotePort,
  };
}

function logCompleted(logger: Logger, req: RequestFields, res: Response, responseTime: number): void {
  const tenantId = (res.locals.principal as { tenantId?: string } | undefined)?.tenantId;
  const line = {
    req,
    tenantId,
    res: { statusCode: res.statusCode, headers: res.getHeaders() },
    responseTime,
  };
  if (res.statusCode >= 500) {
    logger.info({ ...line, err: new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
  } else {
    logger.info(line, 'request completed');
  }
}
