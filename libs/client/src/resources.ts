/** The resource shapes the API answers with; fields the client does not rely on stay open-ended. */
export type ModelStatus =
  'queued' | 'preparing' | 'training' | 'registering' | 'ready' | 'failed' | 'canceled' | 'deleted';
export type GenerationStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'expired';
export type BatchStatus = 'queued' | 'running' | 'completed' | 'canceled';

export interface Model {
  id: string;
  status: ModelStatus;
  name: string;
  triggerPhrase: string;
  progress: number;
  error?: { code: string; message: string };
  [field: string]: unknown;
}

export interface Image {
  index: number;
  url: string;
  expiresAt: string;
  reproduction: {
    model: string;
    modelEtag: string;
    prompt: string;
    negativePrompt: string;
    seed: number;
    steps: number;
    guidance: number;
  };
}

export interface Generation {
  id: string;
  status: GenerationStatus;
  images?: Image[];
  error?: { code: string; message: string };
  [field: string]: unknown;
}

export interface Batch {
  id: string;
  status: BatchStatus;
  total: number;
  counts: Record<string, number>;
  progress?: number;
  /** GPU seconds its invocations used so far. */
  gpuSeconds?: number;
  [field: string]: unknown;
}

/** GPU time of one scope (a tenant, a model, a day), from `GET /v1/usage`. */
export interface UsageFigures {
  gpuSeconds: number;
  generate: { gpuSeconds: number; invocations: number; images: number };
  train: { gpuSeconds: number; trainings: number };
}

export interface Usage extends UsageFigures {
  tenant: string;
  models: (UsageFigures & { model: string })[];
  /** Per UTC day, when a range was asked for. */
  days?: (UsageFigures & { date: string })[];
}

export interface ModelInput {
  name: string;
  subjectClass?: string;
  token?: string;
  params?: Record<string, unknown>;
  /** 10–15 photos (JPEG, PNG or WebP bytes). */
  images: Uint8Array[];
}

export interface GenerationInput {
  model: string;
  prompt: string;
  negativePrompt?: string;
  numImages?: number;
  steps?: number;
  guidance?: number;
  seed?: number;
  webhookUrl?: string;
  deadline?: string;
}

export interface BatchItem {
  prompt: string;
  negativePrompt?: string;
  seed?: number;
}

export interface BatchInput {
  model: string;
  items: Iterable<BatchItem> | AsyncIterable<BatchItem>;
  defaults?: { negativePrompt?: string; steps?: number; guidance?: number };
  webhookUrl?: string;
}

export interface ServerEvent {
  id: string;
  event?: string;
  data: unknown;
}
