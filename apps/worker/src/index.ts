/**
 * @dreamqueue/worker's embeddable parts, for tests that run the real worker in-process next to the API
 * (the full HTTP → queue → worker → SageMaker → S3 flow) and for benchmarks. `main.ts` (the process
 * entry) is deliberately not exported.
 */
export { loadWorkerConfig, WorkerEnv, type WorkerConfig } from './config';
export { createProcessors } from './processors/create-processors';
export { closeWorkers, startWorkers } from './start-workers';
export { generateModule } from './generate/generate.module';
export { type WorkerDeps } from './worker-deps';
export { InstrumentedAsyncInference, InstrumentedMultiModelInference } from './observability/instrumented-inference';
export { createWorkerMetrics } from './observability/worker-metrics';
