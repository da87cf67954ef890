import { type NextFunction, type Request, type Response } from 'express';
import { AppError, serviceUnavailable, toHttpError } from '@dreamqueue/errors';

/** The API's only error exit: every thrown error becomes `{ error: { code, message, details } }`. */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const http = toHttpError(normalize(err));
  if (http.status >= 500) req.log?.error({ err }, 'request failed');
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(http.status).set(http.headers).json(http.body);
}

/** Express and body-parser raise their own errors (bad JSON, oversized body); give them stable codes. */
function normalize(err: unknown): unknown {
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return clientError('invalid_json', 'The request body is not valid JSON.', 400);
  if (e?.type === 'entity.too.large') return clientError('payload_too_large', 'The request body is too large.', 413);
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return clientError('unsupported_encoding', 'The request body encoding is not supported.', 415);
  }
  if (isRedisUnavailable(err)) {
    return serviceUnavailable('redis_unavailable', 'The queue is temporarily unavailable; retry shortly.', err);
  }
  return err;
}

/** ioredis with the offline queue off fails fast while Redis is down; the client should retry, not see a 500. */
function isRedisUnavailable(err: unknown): boolean {
  const message = (err as Error | undefined)?.message ?? '';
  return /enableOfflineQueue|Connection is closed|Stream isn't writeable|ECONNREFUSED|OOM command not allowed/.test(
    message,
  );
}

const clientError = (code: string, message: string, status: number) => new AppError(code, message, { status });

export function notFoundHandler(_req: Request, _res: Response, next: NextFunction): void {
  next(new AppError('route_not_found', 'No such route.', { status: 404 }));
}
