import { type Job, type Worker } from 'bullmq';
import { SageMakerAsyncInference, SageMakerMultiModelInference } from '@dreamqueue/aws';
import { QUEUE_CATALOG, createQueue, generateQueue, type TypedQueue } from '@dreamqueue/contracts';
import { buildArtifact, type Rgb } from '@dreamqueue/emulator';
import { createLogger } from '@dreamqueue/logger';
import { EventLog } from '@dreamqueue/records';
import { createRedisConnection, waitForReady, type KeySpace, type Redis } from '@dreamqueue/redis';
import { S3ObjectStore, targetModelName } from '@dreamqueue/storage';
import {
  recordReadyModel,
  s3ClientFor,
  sageMakerRuntimeClientFor,
  startRedisFixture,
  eventually,
  startTestEmulator,
  type TestEmulator,
} from '@dreamqueue/testing';
import { closeWorkers, createProcessors, loadWorkerConfig, startWorkers } from '@dreamqueue/worker';
import { createApp } from '../src/app';
import { ApiKeyStore } from '../src/auth/api-key.store';
import { generateModule } from '../src/generations/generate.module';
import { usageModule } from '../src/usage/usage.module';
import { quotasModule } from '../src/quotas/quotas.module';
import { TenantQuotas } from '../src/quotas/tenant-quotas';
import { checkResponsesAgainstOpenApi } from './openapi/openapi-validator';

/** Real Redis, the emulator (SageMaker MME + S3), the API app and (on demand) the real generate worker. */
export interface GenerationHarness {
  app: ReturnType<typeof createApp>;
  emulator: TestEmulator;
  redis: Redis;
  keySpace: KeySpace;
  queue: TypedQueue<typeof generateQueue>;
  objects: S3ObjectStore;
  /** The tenants' quotas the routes enforce (unlimited until a test sets one); `GET /v1/quotas` is mounted. */
  quotas: TenantQuotas;
  keyFor(tenantId: string, role?: 'tenant' | 'operator'): Promise<string>;
  /** Places an artifact in the MME prefix and records a ready model for the tenant. */
  registerModel(
    tenantId: string,
    modelId: string,
    palette: Rgb[],
    triggerPhrase?: string,
  ): Promise<{ targetModel: string; etag: string; artifactId: string }>;
  /**
   * The BullMQ job once BullMQ has finished it. The worker settles the generation record before BullMQ moves
   * the job to completed or failed, so a test that saw the record finish must wait for this to read attempts.
   */
  finishedJob(jobId: string): Promise<Job>;
  startWorker(env?: Record<string, string>): Promise<Worker>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export const WORKER_TEST_ENV: Record<string, string> = {
  LOG_LEVEL: 'silent',
  LOCK_DURATION: '2s',
  STALLED_INTERVAL: '1s',
  GENERATE_CONCURRENCY: '4',
  GENERATE_THROTTLE_BACKOFF: '20ms',
  GENERATE_COLD_RETRY_DELAY: '50ms',
  GENERATE_COLD_LOAD_BUDGET: '5s',
  GENERATE_AFFINITY_DEFER: '20ms',
  BATCH_PROGRESS_INTERVAL: '50ms',
};

export async function startGenerationHarness(
  emulatorOverrides: Parameters<typeof startTestEmulator>[0] = {},
): Promise<GenerationHarness> {
  const fx = await startRedisFixture();
  const { server: redisServer, redis } = fx;
  const emulator = await startTestEmulator(emulatorOverrides);
  const producer = createRedisConnection({ url: redisServer.url, role: 'producer' });
  await waitForReady(producer);
  const keySpace = fx.keySpace('gen');
  const queues = Object.values(QUEUE_CATALOG).map((d) =>
    createQueue(d, { connection: { url: redisServer.url }, prefix: keySpace.queuePrefix }),
  );
  const s3 = s3ClientFor(emulator);
  const objects = new S3ObjectStore(s3, emulator.bucket);
  const apiKeys = new ApiKeyStore(producer, keySpace);
  const config = {
    S3_BUCKET: emulator.bucket,
    MME_PREFIX: emulator.mmePrefix,
    PRESIGN_EXPIRY_SECONDS: 600,
    WEBHOOK_ALLOW_HTTP: true,
    WEBHOOK_ALLOW_HOSTS: [],
    BATCH_MAX_BODY_BYTES: 64 * 1024 * 1024,
  };
  const quotas = new TenantQuotas(producer, keySpace);
  const module = generateModule({ config, redis: producer, keySpace, queues: queues as never, s3, quotas });
  const usage = usageModule({ redis: producer, keySpace });
  const app = checkResponsesAgainstOpenApi(
    createApp({
      logger: createLogger({ name: 'api-test', level: 'silent' }),
      redis: producer,
      keySpace,
      apiKeys,
      queues: queues as never,
      readiness: [],
      v1Routers: [...module.v1, ...usage.v1, ...quotasModule({ quotas }).v1],
      adminRouters: usage.admin,
    }),
  );
  let workers: Map<string, Worker> | undefined;

  const harness: GenerationHarness = {
    app,
    emulator,
    redis,
    keySpace,
    objects,
    quotas,
    queue: queues.find((q) => q.name === generateQueue.name) as unknown as TypedQueue<typeof generateQueue>,
    keyFor: async (tenantId, role = 'tenant') => (await apiKeys.create({ tenantId, role, name: 'test' })).key,
    async registerModel(tenantId, modelId, palette, triggerPhrase = 'photo of sks person') {
      const targetModel = targetModelName(tenantId, modelId, 1);
      const artifactId = `model-${modelId}`;
      const stored = await objects.put(
        `${emulator.mmePrefix}${targetModel}`,
        await buildArtifact({ palette, id: artifactId }),
        'application/gzip',
      );
      await recordReadyModel(producer, keySpace, { tenantId, modelId, targetModel, triggerPhrase });
      return { targetModel, etag: stored.etag, artifactId };
    },
    async finishedJob(jobId) {
      return eventually(
        async () => {
          const job = await harness.queue.getJob(jobId);
          return job?.finishedOn ? job : undefined;
        },
        10_000,
        `job ${jobId} finished in BullMQ`,
      );
    },
    async startWorker(env = {}) {
      // One worker set at a time: a test that failed before its stopWorker must not leave one running.
      await harness.stopWorker();
      const workerConfig = loadWorkerConfig({
        ...WORKER_TEST_ENV,
        ...env,
        REDIS_URL: redisServer.url,
        QUEUE_PREFIX: keySpace.queuePrefix,
        S3_BUCKET: emulator.bucket,
        S3_ENDPOINT: emulator.s3Endpoint,
        SAGEMAKER_ENDPOINT: emulator.runtimeEndpoint,
        MME_ENDPOINT: emulator.mmeEndpoint,
        MME_PREFIX: emulator.mmePrefix,
      });
      const logger = createLogger({ name: 'worker-test', level: workerConfig.LOG_LEVEL });
      const runtime = sageMakerRuntimeClientFor(emulator);
      const deps = {
        config: workerConfig,
        logger,
        redis,
        keySpace,
        objects,
        asyncInference: new SageMakerAsyncInference(runtime),
        mme: new SageMakerMultiModelInference(runtime),
        events: new EventLog(redis, keySpace),
      };
      workers = startWorkers({
        registry: createProcessors(deps),
        connection: { url: redisServer.url, maxRetriesPerRequest: null },
        prefix: keySpace.queuePrefix,
        logger,
        lockDuration: workerConfig.LOCK_DURATION,
        stalledInterval: workerConfig.STALLED_INTERVAL,
      }) as Map<string, Worker>;
      return workers.get('generate')!;
    },
    async stopWorker() {
      if (workers) await closeWorkers(workers as never);
      workers = undefined;
    },
    async close() {
      await harness.stopWorker();
      await Promise.all(queues.map((q) => q.close()));
      producer.disconnect();
      await emulator.close();
      await fx.close();
    },
  };
  return harness;
}
