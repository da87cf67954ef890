import { isAppError } from './app-error';

export interface HttpErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface HttpError {
  status: number;
  body: HttpErrorBody;
  headers: Record<string, string>;
}

/**
 * The single mapping from an error to what the API answers. 4xx messages are written for clients and
 * shown; anything else is a generic 500 so internals (bucket names, AWS messages) never leak.
 */
export function toHttpError(err: unknown): HttpError {
  if (isAppError(err) && err.expose) {
    const headers: Record<string, string> = {};
    const retryAfter = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    if (retryAfter !== undefined) headers['retry-after'] = String(Math.ceil(retryAfter));
    return {
      status: err.status,
      headers,
      body: {
        error: { code: err.code, message: err.message, ...(err.details !== undefined && { details: err.details }) },
      },
    };
  }
  if (isAppError(err) && err.status === 503) {
    return {
      status: 503,
      headers: { 'retry-after': '5' },
      body: { error: { code: err.code, message: 'The service is temporarily unavailable; try again shortly.' } },
    };
  }
  return {
    status: 500,
    headers: {},
    body: { error: { code: 'internal_error', message: 'Something went wrong on our side.' } },
  };
}
