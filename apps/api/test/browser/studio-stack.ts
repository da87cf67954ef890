import { Queue, type Worker } from 'bullmq';
import { SageMakerAsyncInference, SageMakerMultiModelInference } from '@dreamqueue/aws';
import { createLogger } from '@dreamqueue/logger';
import { EventLog } from '@dreamqueue/records';
import { createKeySpace, createRedisConnection, waitForReady, type Redis } from '@dreamqueue/redis';
import { S3ObjectStore } from '@dreamqueue/storage';
import {
  s3ClientFor,
  sageMakerRuntimeClientFor,
  startRedisServer,
  startTestEmulator,
  type RedisServer,
  type TestEmulator,
} from '@dreamqueue/testing';
import { closeWorkers, createProcessors, loadWorkerConfig, startWorkers } from '@dreamqueue/worker';
import { generateApiKey } from '../../src/auth/api-key';
import { main } from '../../src/main';
import { WORKER_TEST_ENV } from '../generation-harness';

/**
 * The whole system as `npm start` runs it, in one test process: a private redis-server, the emulator
 * (SageMaker async + MME, S3), the API's real composition root (`main`, serving the built studio at /)
 * and the real workers (every processor), with waits compressed to test time.
 */
export interface StudioStack {
  baseUrl: string;
  apiKey: string;
  emulator: TestEmulator;
  /** Holds generate jobs in the queue (to see a generation queued), and lets them go. */
  pauseGenerations(): Promise<void>;
  resumeGenerations(): Promise<void>;
  close(): Promise<void>;
}

const PREFIX = '{studio}';

export interface StudioStackOptions {
  /** Emulator options over the defaults (e.g. `backend: 'containers'` for the real containers' code). */
  emulator?: Parameters<typeof startTestEmulator>[0];
  /** Worker variables over the test defaults. */
  workerEnv?: Record<string, string>;
}

export async function startStudioStack(options: StudioStackOptions = {}): Promise<StudioStack> {
  const redisServer: RedisServer = await startRedisServer();
  // 1 emulated second = 1 real ms: a 3000 s training passes in 3 s, long enough to watch its stages.
  const emulator = await startTestEmulator({ trainingSeconds: 3000, ...options.emulator });
  const shared = {
    REDIS_URL: redisServer.url,
    QUEUE_PREFIX: PREFIX,
    LOG_LEVEL: 'silent',
    S3_ENDPOINT: emulator.s3Endpoint,
    SAGEMAKER_ENDPOINT: emulator.runtimeEndpoint,
    S3_BUCKET: emulator.bucket,
    TRAINING_ENDPOINT: emulator.trainingEndpoint,
    MME_ENDPOINT: emulator.mmeEndpoint,
    MME_PREFIX: emulator.mmePrefix,
  };
  const apiKey = generateApiKey();
  const api = await main({ ...shared, PORT: '0', BOOTSTRAP_API_KEY: apiKey, SHUTDOWN_GRACE: '200ms' });
  const port = (api.server.address() as { port: number }).port;

  const redis: Redis = createRedisConnection({ url: redisServer.url, role: 'worker' });
  await waitForReady(redis);
  const keySpace = createKeySpace(PREFIX);
  const config = loadWorkerConfig({
    ...WORKER_TEST_ENV,
    ...shared,
    TRAIN_POLL_INTERVAL: '200ms',
    TRAIN_POLL_MAX_INTERVAL: '500ms',
    TRAIN_WARM_RETRY_INTERVAL: '100ms',
    TRAIN_WARM_WINDOW: '10s',
    ...options.workerEnv,
  });
  const logger = createLogger({ name: 'studio-worker', level: 'silent' });
  const runtime = sageMakerRuntimeClientFor(emulator);
  const workers = startWorkers({
    registry: createProcessors({
      config,
      logger,
      redis,
      keySpace,
      objects: new S3ObjectStore(s3ClientFor(emulator), emulator.bucket),
      asyncInference: new SageMakerAsyncInference(runtime),
      mme: new SageMakerMultiModelInference(runtime),
      events: new EventLog(redis, keySpace),
    }),
    connection: { url: redisServer.url, maxRetriesPerRequest: null },
    prefix: keySpace.queuePrefix,
    logger,
    lockDuration: config.LOCK_DURATION,
    stalledInterval: config.STALLED_INTERVAL,
  }) as Map<string, Worker>;

  const generate = new Queue('generate', { connection: { url: redisServer.url }, prefix: keySpace.queuePrefix });

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    emulator,
    pauseGenerations: () => generate.pause(),
    resumeGenerations: () => generate.resume(),
    async close() {
      await generate.close();
      await api.stop();
      await closeWorkers(workers as never);
      redis.disconnect();
      await emulator.close();
      await redisServer.stop();
    },
  };
}
