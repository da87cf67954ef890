import { Worker, type Queue } from 'bullmq';
import request from 'supertest';
import { SageMakerAsyncInference, SageMakerMultiModelInference } from '@dreamqueue/aws';
import { QUEUE_CATALOG, createQueue, trainQueue, type TrainPayload, type TrainResult } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { EventLog, ModelStore, type ModelRecord } from '@dreamqueue/records';
import { type KeySpace, type Redis } from '@dreamqueue/redis';
import { S3ObjectStore } from '@dreamqueue/storage';
import {
  s3ClientFor,
  sageMakerRuntimeClientFor,
  startRedisFixture,
  startTestEmulator,
  type RedisServer,
  type TestEmulator,
} from '@dreamqueue/testing';
import { createApp } from '../../api/src/app';
import { ApiKeyStore } from '../../api/src/auth/api-key.store';
import { IdempotencyStore } from '../../api/src/idempotency/idempotency.store';
import { modelRoutes } from '../../api/src/models/models.routes';
import { TenantQuotas } from '../../api/src/quotas/tenant-quotas';
import { photoSet } from '../../api/test/fixtures/training-photos';
import { loadWorkerConfig, type WorkerConfig } from '../src/config';
import { trainModule } from '../src/train/train.module';
import { type WorkerDeps } from '../src/worker-deps';

/** Worker settings that compress a training's waiting into test time (the emulator runs at 1 ms per emulated s). */
export const FAST_TRAIN_ENV = {
  LOG_LEVEL: 'silent',
  TRAIN_POLL_INTERVAL: '100ms',
  TRAIN_POLL_MAX_INTERVAL: '300ms',
  TRAIN_WARM_RETRY_INTERVAL: '100ms',
  TRAIN_WARM_WINDOW: '5s',
  TRAIN_CLAIM_STALE: '3s',
  TRAIN_THROTTLE_BACKOFF: '200ms',
  LOCK_DURATION: '2000',
  STALLED_INTERVAL: '1000',
};

export interface TrainHarness {
  redisServer: RedisServer;
  redis: Redis;
  keySpace: KeySpace;
  emulator: TestEmulator;
  queue: Queue<TrainPayload, TrainResult>;
  models: ModelStore;
  /** The tenants' quotas the model routes enforce (unlimited until a test sets one). */
  quotas: TenantQuotas;
  app: ReturnType<typeof createApp>;
  key: string;
  /** Env for a worker (in-process or child process) bound to this harness. */
  workerEnv(overrides?: Record<string, string>): Record<string, string>;
  startWorker(overrides?: Record<string, string>): Worker;
  createModel(offset?: number): Promise<string>;
  waitForStatus(modelId: string, statuses: string[], timeoutMs?: number): Promise<ModelRecord>;
  asyncInvocations(modelId: string): string[];
  close(): Promise<void>;
}

export async function startTrainHarness(
  emulatorOverrides: Parameters<typeof startTestEmulator>[0] = {},
): Promise<TrainHarness> {
  const [fx, emulator] = await Promise.all([
    startRedisFixture(),
    startTestEmulator({ trainingSeconds: 1500, ...emulatorOverrides }),
  ]);
  const { server: redisServer, redis } = fx;
  const keySpace = fx.keySpace();
  const events = new EventLog(redis, keySpace);
  const models = new ModelStore(redis, keySpace, events);
  const queues = Object.values(QUEUE_CATALOG).map(
    (d) => createQueue(d, { connection: { url: redisServer.url }, prefix: keySpace.queuePrefix }) as Queue,
  );
  const queue = queues.find((q) => q.name === trainQueue.name) as Queue<TrainPayload, TrainResult>;
  const objects = new S3ObjectStore(s3ClientFor(emulator), emulator.bucket);
  const apiKeys = new ApiKeyStore(redis, keySpace);
  const logger = createLogger({ name: 'train-test', level: 'silent' });
  const quotas = new TenantQuotas(redis, keySpace);
  const routes = modelRoutes({
    quotas,
    redis,
    models,
    objects,
    trainQueue: queue,
    logger,
    idempotency: new IdempotencyStore(redis, keySpace),
    mmePrefix: emulator.mmePrefix,
  });
  const app = createApp({ logger, redis, keySpace, apiKeys, queues, readiness: [], v1Routers: [routes] });
  const key = (await apiKeys.create({ tenantId: 'acme', role: 'tenant', name: 'test' })).key;
  const workers: Worker[] = [];
  const photos = await photoSet(16);

  const workerEnv = (overrides: Record<string, string> = {}) => ({
    ...FAST_TRAIN_ENV,
    REDIS_URL: redisServer.url,
    QUEUE_PREFIX: keySpace.queuePrefix,
    S3_ENDPOINT: emulator.s3Endpoint,
    SAGEMAKER_ENDPOINT: emulator.runtimeEndpoint,
    S3_BUCKET: emulator.bucket,
    TRAINING_ENDPOINT: emulator.trainingEndpoint,
    MME_ENDPOINT: emulator.mmeEndpoint,
    MME_PREFIX: emulator.mmePrefix,
    ...overrides,
  });

  const harness: TrainHarness = {
    redisServer,
    redis,
    keySpace,
    emulator,
    queue,
    models,
    quotas,
    app,
    key,
    workerEnv,
    startWorker(overrides = {}) {
      const config: Readonly<WorkerConfig> = loadWorkerConfig(workerEnv(overrides));
      const runtime = sageMakerRuntimeClientFor(emulator);
      const deps: WorkerDeps = {
        config,
        logger,
        redis,
        keySpace,
        objects,
        asyncInference: new SageMakerAsyncInference(runtime),
        mme: new SageMakerMultiModelInference(runtime),
        events,
      };
      const entry = trainModule(deps);
      const worker = new Worker(trainQueue.name, entry.process as never, {
        connection: { url: redisServer.url, maxRetriesPerRequest: null },
        prefix: keySpace.queuePrefix,
        lockDuration: config.LOCK_DURATION,
        stalledInterval: config.STALLED_INTERVAL,
        ...entry.options,
      });
      worker.on('error', () => undefined);
      entry.onWorker?.(worker);
      workers.push(worker);
      return worker;
    },
    async createModel(offset = 0) {
      let req = request(app).post('/v1/models').set('authorization', `Bearer ${key}`).field('name', `model ${offset}`);
      for (const photo of photos.slice(offset, offset + 10))
        req = req.attach('images', photo, { filename: 'p.jpg', contentType: 'image/jpeg' });
      const res = await req;
      if (res.status !== 202) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    },
    async waitForStatus(modelId, statuses, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const record = await models.get('acme', modelId);
        if (record && statuses.includes(record.status)) return record;
        if (Date.now() > deadline)
          throw new Error(
            `model ${modelId} is ${record?.status} (${record?.failureReason ?? ''}), not ${statuses.join('/')}`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    asyncInvocations(modelId) {
      return emulator
        .ledger()
        .filter(
          (e) => e.op === 'InvokeEndpointAsync' && e.outcome === 'ok' && e.inferenceId?.startsWith(`train-${modelId}-`),
        )
        .map((e) => e.inferenceId!);
    },
    async close() {
      await Promise.all(workers.map((w) => w.close(true)));
      await Promise.all(queues.map((q) => q.close()));
      await emulator.close();
      await fx.close();
    },
  };
  return harness;
}
