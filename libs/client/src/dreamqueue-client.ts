import { randomUUID } from 'node:crypto';
import { apiErrorFrom } from './api-error';
import { ndjson, serverEvents } from './line-stream';
import {
  type Batch,
  type BatchInput,
  type Generation,
  type GenerationInput,
  type Model,
  type ModelInput,
  type ServerEvent,
  type Usage,
} from './resources';

export interface DreamqueueClientOptions {
  /** e.g. `http://127.0.0.1:3000` */
  baseUrl: string;
  apiKey: string;
  /** Retries of 429/503/network failures; creates are safe to retry because they carry an Idempotency-Key. @defaultValue 3 */
  maxRetries?: number;
  fetch?: typeof fetch;
}

interface RequestOptions {
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  /** Set on creates: a retried create returns the first answer instead of creating twice. */
  idempotencyKey?: string;
  stream?: boolean;
}

const TERMINAL_MODEL = new Set(['ready', 'failed', 'canceled', 'deleted']);
const TERMINAL_GENERATION = new Set(['succeeded', 'failed', 'canceled', 'expired']);

/** A typed client of the dreamqueue HTTP API for internal services. */
export class DreamqueueClient {
  private readonly fetch: typeof fetch;
  private readonly baseUrl: string;

  constructor(private readonly options: DreamqueueClientOptions) {
    this.fetch = options.fetch ?? fetch;
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
  }

  createModel(input: ModelInput, idempotencyKey: string = randomUUID()): Promise<Model> {
    const form = new FormData();
    form.set('name', input.name);
    if (input.subjectClass) form.set('subjectClass', input.subjectClass);
    if (input.token) form.set('token', input.token);
    if (input.params) form.set('params', JSON.stringify(input.params));
    input.images.forEach((bytes, i) => form.append('images', new Blob([new Uint8Array(bytes)]), `photo-${i}`));
    return this.request('POST', '/v1/models', { body: form, idempotencyKey });
  }

  getModel = (id: string) => this.request<Model>('GET', `/v1/models/${encodeURIComponent(id)}`);
  listModels = (query: { cursor?: string; limit?: number } = {}) =>
    this.request<{ data: Model[]; nextCursor?: string }>('GET', `/v1/models${queryString(query)}`);
  cancelModel = (id: string) => this.request<Model>('POST', `/v1/models/${encodeURIComponent(id)}/cancel`);
  deleteModel = (id: string) => this.request<Model>('DELETE', `/v1/models/${encodeURIComponent(id)}`);

  createGeneration(input: GenerationInput, idempotencyKey: string = randomUUID()): Promise<Generation> {
    return this.request('POST', '/v1/generations', { json: input, idempotencyKey });
  }

  getGeneration = (id: string) => this.request<Generation>('GET', `/v1/generations/${encodeURIComponent(id)}`);
  cancelGeneration = (id: string) =>
    this.request<Generation>('POST', `/v1/generations/${encodeURIComponent(id)}/cancel`);

  /**
   * Streams the items as NDJSON, so a 100 000-prompt batch is never built in memory. The items are read
   * once, so this request is not retried here: to retry, call again with fresh items and the same key.
   */
  createBatch(input: BatchInput, idempotencyKey: string = randomUUID()): Promise<Batch> {
    const header = { model: input.model, defaults: input.defaults, webhookUrl: input.webhookUrl };
    return this.request('POST', '/v1/batches', {
      body: ndjsonBody(header, input.items),
      headers: { 'content-type': 'application/x-ndjson' },
      idempotencyKey,
    });
  }

  getBatch = (id: string) => this.request<Batch>('GET', `/v1/batches/${encodeURIComponent(id)}`);
  retryFailed = (id: string) => this.request<Batch>('POST', `/v1/batches/${encodeURIComponent(id)}/retry-failed`);
  cancelBatch = (id: string) => this.request<Batch>('POST', `/v1/batches/${encodeURIComponent(id)}/cancel`);

  /** The caller's GPU time: totals, per model, and per UTC day for `from`..`to` (YYYY-MM-DD) when given. */
  getUsage = (range: { from?: string; to?: string } = {}) =>
    this.request<Usage>('GET', `/v1/usage${queryString(range)}`);

  /** The finished batch's manifest, one item at a time, with fresh image URLs. */
  async *batchResults(id: string): AsyncGenerator<Record<string, unknown>> {
    const response = await this.request<Response>('GET', `/v1/batches/${encodeURIComponent(id)}/results`, {
      stream: true,
    });
    yield* ndjson<Record<string, unknown>>(response.body!);
  }

  /**
   * Status changes of the caller's resources; pass the last seen `id` to resume without gaps. Without it the
   * stream starts with events after the connection opened: `onOpen` says when that is, so a caller can
   * open the stream, then create or read a resource, and miss none of its events.
   */
  async *events(options: EventsOptions = {}): AsyncGenerator<ServerEvent> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
    const response = await this.send('GET', '/v1/events', { headers }, options.signal);
    if (!response.ok) throw await apiErrorFrom(response);
    options.onOpen?.();
    for await (const event of serverEvents(response.body!)) yield { ...event, data: parseJson(event.data) };
  }

  waitForModel = (id: string, opts?: WaitOptions) =>
    this.poll(
      () => this.getModel(id),
      (m) => TERMINAL_MODEL.has(m.status),
      opts,
    );
  waitForGeneration = (id: string, opts?: WaitOptions) =>
    this.poll(
      () => this.getGeneration(id),
      (g) => TERMINAL_GENERATION.has(g.status),
      opts,
    );

  private async poll<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    { intervalMs = 1_000, timeoutMs = 600_000 }: WaitOptions = {},
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() + intervalMs > deadline) throw new Error(`Still not finished after ${timeoutMs} ms`);
      await sleep(intervalMs);
    }
  }

  private async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    // A streamed body (a batch's items) can be sent once: the caller retries with the same Idempotency-Key.
    const oneShot = options.body instanceof ReadableStream;
    const retryable = !oneShot && (method === 'GET' || options.idempotencyKey !== undefined);
    const attempts = retryable ? (this.options.maxRetries ?? 3) + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.send(method, path, options);
      } catch (err) {
        if (attempt >= attempts) throw err;
        await sleep(backoffMs(attempt));
        continue;
      }
      if (response.ok)
        return (options.stream ? response : response.status === 204 ? undefined : await response.json()) as T;
      const error = await apiErrorFrom(response);
      if (!error.retryable || attempt >= attempts) throw error;
      await sleep(error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : backoffMs(attempt));
    }
  }

  private send(method: string, path: string, options: RequestOptions, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.apiKey}`, ...options.headers };
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const streaming = body instanceof ReadableStream;
    return this.fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body,
      signal,
      ...(streaming && { duplex: 'half' }),
    } as RequestInit);
  }
}

export interface EventsOptions {
  lastEventId?: string;
  signal?: AbortSignal;
  /** Called once the stream is open (the server has answered 200). */
  onOpen?: () => void;
}

export interface WaitOptions {
  intervalMs?: number;
  timeoutMs?: number;
}

function ndjsonBody(header: object, items: BatchInput['items']): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  async function* produce() {
    yield encoder.encode(`${JSON.stringify(header)}\n`);
    for await (const item of items as AsyncIterable<object>) yield encoder.encode(`${JSON.stringify(item)}\n`);
  }
  const source = produce();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await source.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
}

const queryString = (query: Record<string, string | number | undefined>) => {
  const entries = Object.entries(query).filter(([, v]) => v !== undefined) as [string, string | number][];
  return entries.length
    ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
    : '';
};

const backoffMs = (attempt: number) => Math.min(200 * 2 ** (attempt - 1), 5_000) * (0.5 + Math.random() / 2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
