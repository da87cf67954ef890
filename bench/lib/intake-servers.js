// The two servers the intake benchmark compares, each in its own process: the dreamqueue API exactly as
// `apps/api/dist/main.js` runs in production (its defaults: LOG_LEVEL info to stdout, metrics, no tracing),
// and the bare Express validate + `queue.add` server. No generate worker runs, so jobs wait in the queue
// and only intake is measured. Plus the tenant, key and ready model the requests use.
'use strict';
const net = require('node:net');
const path = require('node:path');
const { startAppProcess } = require('./app-process');
const { dist } = require('./generation-stack');

const TENANT = 'bench';
const MODEL_ID = 'mdl_intakebench';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const healthy = (base) => () => fetch(`${base}/healthz`).then((r) => r.ok);

/** A tenant key and a ready model (with its artifact ETag, as the train `register` step leaves it). */
async function seedTenant({ redisUrl, prefix }) {
  const { createKeySpace, createRedisConnection, waitForReady } = dist('libs/redis/dist/index.js');
  const { TrainingParams } = dist('libs/contracts/dist/index.js');
  const { targetModelName } = dist('libs/storage/dist/index.js');
  const { ApiKeyStore } = dist('apps/api/dist/auth/api-key.store.js');
  const redis = createRedisConnection({ url: redisUrl, role: 'producer' });
  redis.on('error', () => undefined);
  await waitForReady(redis);
  const keySpace = createKeySpace(prefix);
  const { key } = await new ApiKeyStore(redis, keySpace).create({ tenantId: TENANT, role: 'tenant', name: 'bench' });
  const now = new Date().toISOString();
  const model = {
    id: MODEL_ID,
    tenantId: TENANT,
    name: 'intake bench',
    token: 'sks',
    subjectClass: 'person',
    triggerPhrase: 'photo of sks person',
    params: TrainingParams.parse({}),
    photoCount: 10,
    status: 'ready',
    progress: 100,
    stages: { queued: now, ready: now },
    createdAt: now,
    updatedAt: now,
    targetModel: targetModelName(TENANT, MODEL_ID, 1),
    artifactEtag: '"0123456789abcdef0123456789abcdef"',
    version: 1,
  };
  await redis.set(keySpace.key('model', TENANT, MODEL_ID), JSON.stringify(model));
  redis.disconnect();
  return { key, modelId: MODEL_ID };
}

/** `apps/api/dist/main.js` on its own port, with production defaults except the local endpoints. */
async function startDreamqueueApi({ redisUrl, prefix, emulator, logDir, name = 'api', nodeArgs, extraEnv = {} }) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = await startAppProcess({
    name,
    app: 'api',
    logDir,
    nodeArgs,
    probe: healthy(base),
    env: {
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      PORT: String(port),
      S3_ENDPOINT: emulator.s3Endpoint,
      SAGEMAKER_ENDPOINT: emulator.runtimeEndpoint,
      S3_BUCKET: emulator.bucket,
      MME_PREFIX: emulator.mmePrefix,
      ...extraEnv,
    },
  });
  return { ...proc, base };
}

async function startBareServer({ redisUrl, prefix, logDir, name = 'bare', nodeArgs }) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = await startAppProcess({
    name,
    script: path.join(__dirname, 'bare-intake-server.js'),
    logDir,
    nodeArgs,
    probe: healthy(base),
    env: { BARE_INTAKE: JSON.stringify({ redisUrl, prefix, port }) },
  });
  return { ...proc, base };
}

module.exports = { seedTenant, startBareServer, startDreamqueueApi };
