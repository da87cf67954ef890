/** The API's resource shapes, as far as the studio reads them (apps/api's *-view.ts files are the truth). */
export type ModelStatus =
  'queued' | 'preparing' | 'training' | 'registering' | 'ready' | 'failed' | 'canceled' | 'deleted';

export interface Model {
  id: string;
  name: string;
  status: ModelStatus;
  progress: number;
  subjectClass: string;
  token: string;
  triggerPhrase: string;
  photoCount: number;
  createdAt: string;
  updatedAt: string;
  stages: Partial<Record<ModelStatus, string>>;
  failureReason?: string;
}

export interface Reproduction {
  model: string;
  modelEtag: string;
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  guidance: number;
}

export interface GeneratedImage {
  index: number;
  url: string;
  expiresAt: string;
  reproduction: Reproduction;
}

export type GenerationStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'expired';

export interface Generation {
  id: string;
  status: GenerationStatus;
  model: string;
  prompt: string;
  negativePrompt: string;
  numImages: number;
  steps: number;
  guidance: number;
  seed: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  queuePosition?: number;
  etaSeconds?: number;
  error?: { code: string; message: string };
  images?: GeneratedImage[];
}

export type BatchStatus = 'queued' | 'running' | 'completed' | 'failed' | 'canceled';

export interface Batch {
  id: string;
  status: BatchStatus;
  model: string;
  steps: number;
  guidance: number;
  total: number;
  counts: { pending: number; succeeded: number; failed: number; canceled: number };
  progress: number;
  etaSeconds?: number;
  round: number;
  /** GPU seconds its invocations used so far. */
  gpuSeconds?: number;
  createdAt: string;
  finishedAt?: string;
  retried?: number;
}

/** One line of `GET /v1/batches/:id/results`. */
export interface BatchResultLine {
  index: number;
  status: string;
  prompt?: string;
  seed?: number;
  url?: string;
  error?: { code: string; message: string };
  [key: string]: unknown;
}

/** One Server-Sent Event from `GET /v1/events`. */
export interface StudioEvent {
  id: string;
  type: string;
  resource: 'model' | 'generation' | 'batch' | string;
  resourceId: string;
  status?: string;
  data?: unknown;
  at?: string;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}
