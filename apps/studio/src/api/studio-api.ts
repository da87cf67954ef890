import { Http, idempotencyKey } from './http';
import { type Batch, type BatchResultLine, type Generation, type Model } from './types';

export interface GenerationInput {
  model: string;
  prompt: string;
  negativePrompt: string;
  numImages: number;
  steps: number;
  guidance: number;
  seed?: number;
}

export interface BatchInput {
  model: string;
  defaults: { negativePrompt: string; steps: number; guidance: number };
  items: { prompt: string; negativePrompt?: string; seed?: number }[];
}

/** The calls the studio makes, one method per route it uses. */
export class StudioApi {
  readonly http: Http;

  constructor(apiKey: string) {
    this.http = new Http(apiKey);
  }

  listModels = async (): Promise<Model[]> =>
    (await this.http.json<{ data: Model[] }>('GET', '/v1/models?limit=100')).data;
  getModel = (id: string) => this.http.json<Model>('GET', `/v1/models/${encodeURIComponent(id)}`);
  cancelModel = (id: string) => this.http.json<Model>('POST', `/v1/models/${encodeURIComponent(id)}/cancel`);
  deleteModel = (id: string) => this.http.json<Model>('DELETE', `/v1/models/${encodeURIComponent(id)}`);

  createModel(form: { name: string; subjectClass: string; params?: Record<string, unknown>; photos: File[] }) {
    const body = new FormData();
    body.append('name', form.name);
    body.append('subjectClass', form.subjectClass);
    if (form.params && Object.keys(form.params).length > 0) body.append('params', JSON.stringify(form.params));
    for (const photo of form.photos) body.append('images', photo, photo.name);
    return this.http.json<Model>('POST', '/v1/models', body, { 'idempotency-key': idempotencyKey() });
  }

  createGeneration = (input: GenerationInput) =>
    this.http.json<Generation>('POST', '/v1/generations', input, { 'idempotency-key': idempotencyKey() });
  getGeneration = (id: string) => this.http.json<Generation>('GET', `/v1/generations/${encodeURIComponent(id)}`);
  cancelGeneration = (id: string) =>
    this.http.json<Generation>('POST', `/v1/generations/${encodeURIComponent(id)}/cancel`);

  /** Sends the batch as NDJSON (a header line, then one item per line), as the API streams it in. */
  createBatch(input: BatchInput) {
    const lines = [JSON.stringify({ model: input.model, defaults: input.defaults })];
    for (const item of input.items) lines.push(JSON.stringify(item));
    return this.http.json<Batch>('POST', '/v1/batches', lines.join('\n') + '\n', {
      'content-type': 'application/x-ndjson',
      'idempotency-key': idempotencyKey(),
    });
  }
  getBatch = (id: string) => this.http.json<Batch>('GET', `/v1/batches/${encodeURIComponent(id)}`);
  cancelBatch = (id: string) => this.http.json<Batch>('POST', `/v1/batches/${encodeURIComponent(id)}/cancel`);
  retryFailed = (id: string) => this.http.json<Batch>('POST', `/v1/batches/${encodeURIComponent(id)}/retry-failed`);

  /** The results manifest as text (NDJSON), for saving, plus its parsed lines. */
  async batchResults(id: string): Promise<{ text: string; lines: BatchResultLine[] }> {
    const res = await this.http.raw(`/v1/batches/${encodeURIComponent(id)}/results`);
    const text = await res.text();
    const lines = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as BatchResultLine);
    return { text, lines };
  }
}
