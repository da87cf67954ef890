// Shared plumbing for the generation benchmarks: a private redis-server, the emulator, the API app and the
// real generate worker, all from the built dist/ (run `npx nx run-many -t build` first; the npm scripts do).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const dist = (p) => require(path.join(root, p));
/**
 * The test kit (libs/testing) has no build: its source is loaded through the TypeScript loader, and only
 * when needed, so the API child process (which measures its own memory) never loads it.
 */
function testingKit() {
  require(path.join(root, 'tools/swc-register.js'));
  return require('@dreamqueue/testing');
}

/** A private redis-server on a free port (noeviction), from the same kit the tests use. */
async function startRedis() {
  const server = await testingKit().startRedisServer();
  return { url: server.url, stop: () => server.stop() };
}

async function startEmulator(options) {
  const { startEmulator: start } = dist('apps/emulator/dist/index.js');
  const { createLogger } = dist('libs/logger/dist/index.js');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dq-bench-emulator-'));
  const emulator = await start({ dataDir, logger: createLogger({ name: 'emulator', level: 'silent' }), ...options });
  return {
    ...emulator,
    async close() {
      await emulator.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The emulator as a child process (bench/lib/emulator-child.js), for figures in the endpoint's time: its
 * timers do not wait on the event loop of the code under test. `stats()` reads `GET /_emulator/stats`.
 */
async function startEmulatorProcess(options) {
  const { fork } = require('node:child_process');
  const child = fork(path.join(__dirname, 'emulator-child.js'), [JSON.stringify(options)], {
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const endpoints = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the emulator process exited with ${code} before it was ready`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    ...endpoints,
    async stats() {
      const res = await fetch(`${endpoints.runtimeEndpoint}/_emulator/stats`);
      return res.json();
    },
    async close() {
      child.send('close');
      await exited;
    },
  };
}

function awsClients(emulator) {
  const { createS3Client, createSageMakerRuntimeClient } = dist('libs/aws/dist/index.js');
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    s3: createS3Client({ region: 'us-east-1', endpoint: emulator.s3Endpoint, credentials }),
    runtime: createSageMakerRuntimeClient({ region: 'us-east-1', endpoint: emulator.runtimeEndpoint, credentials }),
  };
}

/** The API app (not listening) wired like main.ts, plus helpers to register models and keys. */
async function buildApi({ redisUrl, prefix, emulator, s3 }) {
  const { QUEUE_CATALOG, createQueue } = dist('libs/contracts/dist/index.js');
  const { createRedisConnection, createKeySpace, waitForReady } = dist('libs/redis/dist/index.js');
  const { createLogger } = dist('libs/logger/dist/index.js');
  const { S3ObjectStore, targetModelName } = dist('libs/storage/dist/index.js');
  const { buildArtifact } = dist('apps/emulator/dist/index.js');
  const { createApp } = dist('apps/api/dist/app.js');
  const { ApiKeyStore } = dist('apps/api/dist/auth/api-key.store.js');
  const { generateModule } = dist('apps/api/dist/generations/generate.module.js');
  const redis = createRedisConnection({ url: redisUrl, role: 'producer' });
  await waitForReady(redis);
  const keySpace = createKeySpace(prefix);
  const queues = Object.values(QUEUE_CATALOG).map((d) =>
    createQueue(d, { connection: { url: redisUrl, enableOfflineQueue: false }, prefix }),
  );
  const config = {
    S3_BUCKET: emulator.bucket,
    MME_PREFIX: emulator.mmePrefix,
    PRESIGN_EXPIRY_SECONDS: 600,
    WEBHOOK_ALLOW_LOOPBACK_HTTP: true,
    BATCH_MAX_BODY_BYTES: 64 * 1024 * 1024,
  };
  const { TenantQuotas } = dist('apps/api/dist/quotas/tenant-quotas.js');
  // No quota set: the benchmarks measure dispatch and intake, not refusals.
  const module = generateModule({ config, redis, keySpace, queues, s3, quotas: new TenantQuotas(redis, keySpace) });
  const apiKeys = new ApiKeyStore(redis, keySpace);
  const app = createApp({
    logger: createLogger({ name: 'api', level: 'silent' }),
    redis,
    keySpace,
    apiKeys,
    queues,
    readiness: [],
    v1Routers: module.v1,
    adminEnabled: false,
  });
  const objects = new S3ObjectStore(s3, emulator.bucket);
  const { BatchStore, EventLog, GenerationStore, ModelStore } = dist('libs/records/dist/index.js');
  const events = new EventLog(redis, keySpace);
  return {
    app,
    queues,
    /** The durable records, as the API reads them (audits). */
    stores: {
      generations: new GenerationStore(redis, keySpace, events),
      batches: new BatchStore(redis, keySpace, events),
      models: new ModelStore(redis, keySpace, events),
    },
    keyFor: async (tenantId) => (await apiKeys.create({ tenantId, role: 'tenant', name: 'bench' })).key,
    async registerModel(tenantId, modelId, palette) {
      const targetModel = targetModelName(tenantId, modelId, 1);
      await objects.put(
        `${emulator.mmePrefix}${targetModel}`,
        await buildArtifact({ palette, id: modelId }),
        'application/gzip',
      );
      // A ready model as the train worker leaves it (only the fields a generation reads), under ModelStore's key.
      const now = new Date().toISOString();
      const record = { id: modelId, tenantId, status: 'ready', targetModel, triggerPhrase: 'photo of sks person' };
      await redis.set(
        keySpace.key('model', tenantId, modelId),
        JSON.stringify({ ...record, createdAt: now, updatedAt: now, version: 1 }),
      );
      return targetModel;
    },
    async close() {
      await Promise.all(queues.map((q) => q.close()));
      redis.disconnect();
    },
  };
}

/** The real generate worker (createProcessors + startWorkers from apps/worker/dist). */
async function startGenerateWorker({ redisUrl, prefix, emulator, s3, runtime, env }) {
  const w = dist('apps/worker/dist/index.js');
  const { createRedisConnection, createKeySpace, waitForReady } = dist('libs/redis/dist/index.js');
  const { createLogger } = dist('libs/logger/dist/index.js');
  const { S3ObjectStore } = dist('libs/storage/dist/index.js');
  const { SageMakerAsyncInference, SageMakerMultiModelInference } = dist('libs/aws/dist/index.js');
  const { EventLog } = dist('libs/records/dist/index.js');
  const config = w.loadWorkerConfig({
    LOG_LEVEL: 'silent',
    ...env,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    S3_BUCKET: emulator.bucket,
    S3_ENDPOINT: emulator.s3Endpoint,
    SAGEMAKER_ENDPOINT: emulator.runtimeEndpoint,
    MME_ENDPOINT: emulator.mmeEndpoint,
    MME_PREFIX: emulator.mmePrefix,
  });
  const redis = createRedisConnection({ url: redisUrl, role: 'worker' });
  await waitForReady(redis);
  const keySpace = createKeySpace(prefix);
  const logger = createLogger({ name: 'worker', level: config.LOG_LEVEL });
  const deps = {
    config,
    logger,
    redis,
    keySpace,
    objects: new S3ObjectStore(s3, emulator.bucket),
    asyncInference: new SageMakerAsyncInference(runtime),
    mme: new SageMakerMultiModelInference(runtime),
    events: new EventLog(redis, keySpace),
  };
  const registry = w.createProcessors(deps);
  const workers = w.startWorkers({
    registry,
    connection: { url: redisUrl, maxRetriesPerRequest: null },
    prefix,
    logger,
    lockDuration: config.LOCK_DURATION,
    stalledInterval: config.STALLED_INTERVAL,
  });
  return {
    worker: workers.get('generate'),
    limiter: registry.generate.limiter,
    async close() {
      await w.closeWorkers(workers);
      redis.disconnect();
    },
  };
}

/** Listens on a free loopback port; resolves the base URL and a close function. */
async function listen(app) {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} cores, ${cpus[0] ? cpus[0].model.trim() : 'unknown CPU'}, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = {
  testingKit,
  awsClients,
  buildApi,
  dist,
  listen,
  machine,
  root,
  sleep,
  startEmulator,
  startEmulatorProcess,
  startGenerateWorker,
  startRedis,
};
