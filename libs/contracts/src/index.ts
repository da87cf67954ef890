export { QUEUE_CATALOG, type QueueCatalog, type QueueKey } from './catalog';
export {
  createQueue,
  defineQueue,
  type PayloadOf,
  type QueueConnection,
  type QueueDefinition,
  type ResultOf,
  type TypedQueue,
} from './queue-definition';
export { RETENTION } from './queue-defaults';
export { ID_PREFIX, idSchema, newId, tenantIdSchema, type ResourceKind } from './ids';
export { TRAIN_STEPS, TrainPayload, TrainResult, trainQueue, type TrainStep } from './queues/train.queue';
export {
  BATCH_AFFINITY_RUN,
  GenerateItem,
  GeneratePayload,
  GenerateResult,
  MAX_BATCH_SIZE,
  MAX_PRIORITY,
  PRIORITY,
  batchChunkPriority,
  generateQueue,
} from './queues/generate.queue';
export {
  BatchDefaults,
  BatchHeader,
  BatchItem,
  GenerationRequest,
  MAX_BATCH_ITEMS,
  MAX_PROMPT_LENGTH,
  MAX_SEED,
} from './api/generations';
export { WebhookPayload, WebhookResult, webhookQueue } from './queues/webhook.queue';
export { TrainCheckpoint } from './queues/train.queue';
export { JobTrace } from './queues/job-trace';
export {
  MODEL_PHOTOS,
  MODEL_STATUSES,
  TERMINAL_MODEL_STATUSES,
  TrainingParams,
  modelNameSchema,
  newSubjectToken,
  subjectClassSchema,
  subjectTokenSchema,
  trainerConfig,
  triggerPhrase,
  type ModelStatus,
} from './api/models';
export {
  ARTIFACT_NAME_PATTERN,
  MAX_FAILURE_REASON,
  reportedTrainingSeconds,
  TRAINING_COMPLETED,
  TRAINING_FAILED,
  trainingCompleted,
  trainingFailed,
  type TrainingCompletedObject,
  type TrainingFailedObject,
} from './sagemaker/training-output';
export {
  BASE_MODEL_MISSING,
  CONDA_PACK_MISSING,
  CONDA_PACK_PATH,
  SETUP_INPUT,
  SETUP_MODEL,
  isBaseModelMissing,
  setupRequestBody,
} from './sagemaker/mme-bootstrap';
export {
  VECTORS_DIR,
  readVector,
  vectorFileBytes,
  type ContractVectors,
  type KServeRequest,
  type KServeResponse,
  type KServeTensor,
  type VectorKind,
  type VectorRuntimeError,
  type VectorTarFile,
} from './sagemaker/vectors';
