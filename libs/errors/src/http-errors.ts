import { AppError } from './app-error';

/** Shorthands for the API's client errors; each keeps the stable `code` the caller passes. */
export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(code, message, { status: 400, details });

export const unauthorized = () =>
  new AppError('unauthorized', 'A valid API key is required: send "Authorization: Bearer <key>".', { status: 401 });

export const forbidden = (message = 'This API key may not perform this action.') =>
  new AppError('forbidden', message, { status: 403 });

export const notFound = (what: string, id?: string) =>
  new AppError('not_found', id ? `${what} ${id} was not found.` : `${what} was not found.`, { status: 404 });

export const conflict = (code: string, message: string, details?: unknown) =>
  new AppError(code, message, { status: 409, details });

export const tooManyRequests = (code: string, message: string, retryAfterSeconds: number) =>
  new AppError(code, message, { status: 429, details: { retryAfterSeconds } });

export const serviceUnavailable = (code: string, message: string, cause?: unknown) =>
  new AppError(code, message, { status: 503, retryable: true, cause });
