import { type ApiErrorBody } from './types';

/** An error answer from the API (`{ error: { code, message, details } }`), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  static fromBody(status: number, body: unknown): ApiError {
    const error = (body as { error?: ApiErrorBody } | undefined)?.error;
    if (error && typeof error.code === 'string') return new ApiError(status, error.code, error.message, error.details);
    return new ApiError(status, 'unexpected_response', `The API answered ${status}.`);
  }
}

/** One reason about one photo, as `POST /v1/models` lists them (by position in the upload). */
export interface PhotoProblem {
  index: number;
  code: string;
  reason: string;
}

/** Per-photo problems from an error, whether they are the details themselves or `details.photos`. */
export function photoProblems(error: ApiError): PhotoProblem[] {
  const details = error.details as unknown;
  const list = Array.isArray(details) ? details : (details as { photos?: unknown } | undefined)?.photos;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (p): p is PhotoProblem =>
      typeof p === 'object' && p !== null && typeof p.index === 'number' && typeof p.reason === 'string',
  );
}

/**
 * One reason about one form field: `invalid_params` lists `{field, reason}`, the JSON routes
 * (`invalid_request`) list `{path, message}` under `details.errors`.
 */
export function fieldProblems(error: ApiError): { field: string; reason: string }[] {
  const details = error.details as { errors?: unknown } | unknown[] | undefined;
  const list: unknown[] = Array.isArray(details) ? details : Array.isArray(details?.errors) ? details.errors : [];
  return list.flatMap((p) => {
    const item = p as { field?: unknown; reason?: unknown; path?: unknown; message?: unknown };
    if (typeof item.field === 'string' && typeof item.reason === 'string')
      return [{ field: item.field, reason: item.reason }];
    if (typeof item.path === 'string' && typeof item.message === 'string')
      return [{ field: item.path, reason: item.message }];
    return [];
  });
}
