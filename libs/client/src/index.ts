export {
  DreamqueueClient,
  type DreamqueueClientOptions,
  type EventsOptions,
  type WaitOptions,
} from './dreamqueue-client';
export { DreamqueueApiError } from './api-error';
export type {
  Batch,
  BatchInput,
  BatchItem,
  BatchStatus,
  Generation,
  GenerationInput,
  GenerationStatus,
  Image,
  Model,
  ModelInput,
  ModelStatus,
  ServerEvent,
  Usage,
  UsageFigures,
} from './resources';
