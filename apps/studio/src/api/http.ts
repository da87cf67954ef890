import { ApiError } from './api-error';

/**
 * Calls the API on the same origin with the API key in the Authorization header: never in a URL, never
 * logged. Every non-2xx answer becomes an {@link ApiError} carrying the API's code.
 */
export class Http {
  constructor(private readonly apiKey: string) {}

  async json<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body instanceof FormData || typeof body === 'string') init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await this.raw(path, init);
    return (await res.json()) as T;
  }

  /** A response whose status is 2xx; the body is left to the caller (streams, NDJSON). */
  async raw(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(path, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${this.apiKey}` },
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'network_error', 'The API could not be reached.');
    }
    if (!res.ok) throw ApiError.fromBody(res.status, await res.json().catch(() => undefined));
    return res;
  }
}

/** A key for `Idempotency-Key`: a retried click never creates twice. (getRandomValues works off https too.) */
export function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `studio-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
