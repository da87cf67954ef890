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
/** What an access line shows in place of a secret, as the API logger's redaction does. */
const REDACTED = '[Redacted]';
/**
 * Request headers that carry credentials (the API logger's `REDACT_PATHS` under `req.headers`): a line shows
 * that they were sent, never their value.
 */
const SECRET_REQUEST_HEADERS = ['authorization', 'cookie', 'x-api-key'];
/** Response headers that carry credentials (`REDACT_PATHS` under `res.headers`). */
const SECRET_RESPONSE_HEADERS = ['set-cookie'];

/** What an access line says about the request, read when it arrives (as it reached the API). */
interface RequestFields {
  id: string;
  method: string | undefined;
  /** Always redacted: the URL and its query string carry presigned-URL signatures and tokens. */
  url: string;
  query: string;
  params: unknown;
  headers: Readonly<Record<string, unknown>>;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
}

/**
 * One access line per request (`request completed`, or `request errored` for a 5xx) when its response
 * closes, with the request, the tenant, the response status and headers and the time taken, and a request id
 * echoed in `X-Request-Id`. The line is one plain object of a fixed shape, built redacted (the URL, the query
 * string and the credential headers replaced) and logged once through a child of the API logger without the
 * logger's own redaction, whose path matching and copies cost several microseconds on every request; the line
 * holds nothing else that redaction would replace. No logger is made per request unless a route asks for
 * `req.log`, which is then bound to the request and redacted as every API line.
 */
export function accessLog(app: Express, logger: Logger) {
  // No paths: the line is redacted as it is built (see `requestFields`, `logCompleted`).
  const access = logger.child({}, { redact: { paths: [], censor: REDACTED } });
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
    url: REDACTED,
    query: REDACTED,
    params: req.params,
    headers: redactedHeaders(req.headers, SECRET_REQUEST_HEADERS),
    remoteAddress: req.socket.remoteAddress,
    remotePort: req.socket.remotePort,
  };
}

function logCompleted(logger: Logger, req: RequestFields, res: Response, responseTime: number): void {
  const tenantId = (res.locals.principal as { tenantId?: string } | undefined)?.tenantId;
  const line = {
    req,
    tenantId,
    res: { statusCode: res.statusCode, headers: redactedHeaders(res.getHeaders(), SECRET_RESPONSE_HEADERS) },
    responseTime,
  };
  if (res.statusCode >= 500) {
    logger.info({ ...line, err: new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
  } else {
    logger.info(line, 'request completed');
  }
}

/** `headers`, or a copy with each of `secrets` that it holds replaced (in place, so the fields keep their order). */
function redactedHeaders(
  headers: Readonly<Record<string, unknown>>,
  secrets: readonly string[],
): Readonly<Record<string, unknown>> {
  let copy: Record<string, unknown> | undefined;
  for (const name of secrets) {
    if (headers[name] === undefined) continue;
    copy ??= Object.assign({}, headers);
    copy[name] = REDACTED;
  }
  return copy ?? headers;
}
