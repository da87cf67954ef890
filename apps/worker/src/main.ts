import {
  SageMakerAsyncInference,
  SageMakerMultiModelInference,
  createS3Client,
  createSageMakerRuntimeClient,
} from '@dreamqueue/aws';
import { localCredentials } from '@dreamqueue/config';
import { createLogger } from '@dreamqueue/logger';
import { BatchStore, EventLog, GenerationStore } from '@dreamqueue/records';
import { assertRedisFit, createKeySpace, createRedisConnection, waitForReady } from '@dreamqueue/redis';
import { S3ObjectStore } from '@dreamqueue/storage';
import { createOtlpExporter, startTracing } from '@dreamqueue/tracing';
import { loadWorkerConfig } from './config';
import { createProcessors } from './processors/create-processors';
import { closeWorkers, startWorkers } from './start-workers';
import { startOperations } from './health/start-operations';
import { resourceModelLookup } from './indexing/resource-model';
import { InstrumentedAsyncInference, InstrumentedMultiModelInference } from './observability/instrumented-inference';
import { instrumentWorkers } from './observability/instrument-workers';
import { createWorkerMetrics } from './observability/worker-metrics';
import { type GenerateModule } from './generate/generate.module';
import { startReconciler } from './reconcile/start-reconciler';

/** Composition root of the worker: config → Redis (checked) → AWS clients → processors → workers. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<{ stop: () => Promise<void> }> {
  const config = loadWorkerConfig(env);
  const logger = createLogger({ name: 'dreamqueue-worker', level: config.LOG_LEVEL });
  // Off by default: then job and SageMaker spans are no-ops. The worker serves no traced HTTP (probes only).
  const tracing = config.OTEL_ENABLED
    ? startTracing({
        serviceName: config.OTEL_SERVICE_NAME ?? 'dreamqueue-worker',
        exporter: createOtlpExporter(config.OTEL_EXPORTER_OTLP_ENDPOINT),
        httpServer: false,
      })
    : undefined;
  const keySpace = createKeySpace(config.QUEUE_PREFIX);
  const redis = createRedisConnection({ url: config.REDIS_URL, role: 'worker', connectionName: 'dq-worker' });
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  try {
    await waitForReady(redis, 60_000);
    logger.info(await assertRedisFit(redis), 'redis checked');
  } catch (err) {
    redis.disconnect();
    throw err;
  }

  const credentials = localCredentials(config, env);
  const runtime = createSageMakerRuntimeClient({
    region: config.AWS_REGION,
    endpoint: config.SAGEMAKER_ENDPOINT,
    credentials,
  });
  const s3 = createS3Client({ region: config.AWS_REGION, endpoint: config.S3_ENDPOINT, credentials });

  // The generate processor's AIMD gate exists once processors are built; the gauge reads it on scrape.
  let generateLimit: () => number | undefined = () => undefined;
  const metrics = createWorkerMetrics({ adaptiveLimit: () => generateLimit() });
  const deps = {
    config,
    logger,
    redis,
    keySpace,
    objects: new S3ObjectStore(s3, config.S3_BUCKET),
    asyncInference: new InstrumentedAsyncInference(new SageMakerAsyncInference(runtime), metrics),
    mme: new InstrumentedMultiModelInference(new SageMakerMultiModelInference(runtime), metrics),
    metrics,
    events: new EventLog(redis, keySpace),
  };
  const registry = createProcessors(deps);
  generateLimit = () => (registry.generate as Partial<GenerateModule>).limiter?.limit;
  const workers = startWorkers({
    registry,
    connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
    prefix: keySpace.queuePrefix,
    logger,
    lockDuration: config.LOCK_DURATION,
    stalledInterval: config.STALLED_INTERVAL,
  });
  logger.info({ queues: [...workers.keys()] }, 'worker started');
  instrumentWorkers(workers.values(), metrics);
  const modelOf = resourceModelLookup({
    generations: new GenerationStore(redis, keySpace, deps.events),
    batches: new BatchStore(redis, keySpace, deps.events),
  });
  const operations = await startOperations({
    config,
    logger,
    redis,
    keySpace,
    metrics,
    modelOf,
    connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
  });
  const reconcile = startReconciler({
    config,
    logger,
    redis,
    keySpace,
    objects: deps.objects,
    metrics,
    connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
  });

  const stop = async () => {
    logger.info('worker stopping: finishing active jobs');
    await closeWorkers(workers);
    await reconcile.stop();
    await operations.stop();
    redis.disconnect();
    runtime.destroy();
    s3.destroy();
    await tracing?.shutdown();
    logger.info('worker stopped');
    logger.flush();
  };
  return { stop };
}

if (require.main === module) {
  main()
    .then(({ stop }) => {
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        void stop().then(() => process.exit(0));
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    })
    .catch((err: unknown) => {
      // eslint-disable-next-line no-console -- bootstrap failure before a logger exists
      console.error((err as Error).message);
      process.exit(1);
    });
}
