/** An error answered by the dreamqueue API: branch on `code`, never on `message`. */
export class DreamqueueApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DreamqueueApiError';
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** 429 and 503 mean "try the same request again later". */
  get retryable(): boolean {
    return this.status === 429 || this.status === 503;
  }
}

export async function apiErrorFrom(response: Response): Promise<DreamqueueApiError> {
  const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
  let body: { error?: { code?: string; message?: string; details?: unknown } } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // A proxy's HTML error page: keep the status, name it generically.
  }
  return new DreamqueueApiError(
    response.status,
    body.error?.code ?? `http_${response.status}`,
    body.error?.message ?? response.statusText,
    body.error?.details,
    Number.isFinite(retryAfter) ? retryAfter : undefined,
  );
}
