/**
 * The one error type dreamqueue raises on purpose.
 *
 * `code` is stable and snake_case: clients and operators branch on it, never on `message`.
 * `status` is the HTTP status the API answers with; `retryable` tells a worker whether trying
 * the same thing again can succeed.
 */
export interface AppErrorOptions {
  /** HTTP status for the API. @defaultValue 500 */
  status?: number;
  /** Whether the same operation may succeed when tried again. @defaultValue false */
  retryable?: boolean;
  /** Machine-readable context shown to API clients for 4xx errors (e.g. per-field reasons). */
  details?: unknown;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 500;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** 4xx errors carry a message written for the client; 5xx messages stay internal. */
  get expose(): boolean {
    return this.status < 500;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
