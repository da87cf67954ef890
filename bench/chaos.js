// npm run chaos -- [generations=10000] [trainings=50]
//
// 10 000 generations (single requests and batches, three tenants) and 50 trainings through the real API
// process and two real worker processes against the emulator, while workers are SIGKILLed at random,
// Redis (AOF on) is crashed and restarted twice, the API is killed and restarted once, and the emulator
// injects 30 % throttling, 5 % 5xx and S3 errors. Then every accepted unit is audited from the records.
// Last line: `chaos: lost L, duplicates D, failed F of N`. Nothing here asserts; bench/README.md explains.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const s = require('./lib/generation-stack');
const { startAppProcess } = require('./lib/app-process');
const { pool, postWithRetry, trainingForm, trainingPhotos } = require('./lib/chaos-load');
const audit = require('./lib/chaos-audit');
const { runBench } = require('./lib/run-bench');

const GENERATIONS = Number(process.argv[2] ?? 10_000);
const TRAININGS = Number(process.argv[3] ?? 50);
const TENANTS = ['chaos-a', 'chaos-b', 'chaos-c'];
const PREFIX = '{chaos}';
const SINGLES = Math.round(GENERATIONS / 10);
const BATCHES_PER_TENANT = 3;
/** How long the run waits for the last accepted unit to finish once the faults have stopped. */
const DRAIN_MS = 4 * 60_000;
const FAULTS = [
  { op: 'invoke', error: 'ThrottlingException', rate: 0.3 },
  { op: 'invoke', error: 'InternalFailure', rate: 0.05 },
  { op: 'invokeAsync', error: 'ThrottlingException', rate: 0.3 },
  { op: 'invokeAsync', error: 'ServiceUnavailable', rate: 0.05 },
  { op: 's3:PutObject', error: 'InternalError', rate: 0.05 },
  { op: 's3:GetObject', error: 'SlowDown', rate: 0.05 },
];

async function main() {
  const kit = s.testingKit();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dq-chaos-logs-'));
  console.log(`chaos: ${s.machine()}; logs in ${logDir}`);
  let redis = await kit.startRedisServer({ appendonly: true });
  const emulator = await s.startEmulator({
    timeScale: 0.01,
    trainingSeconds: 1500,
    trainingConcurrency: 10,
    coldLoadSeconds: 5,
    fixedLatencyMs: 200,
    perImageLatencyMs: 400,
    mmeCapacity: 16,
    faults: FAULTS,
    seed: 7,
  });
  const { s3 } = s.awsClients(emulator);
  const setup = await s.buildApi({ redisUrl: redis.url, prefix: PREFIX, emulator, s3 });
  const tenants = [];
  for (const tenantId of TENANTS) {
    const modelId = `mdl_${tenantId.replace('-', '')}`;
    await setup.registerModel(tenantId, modelId, [[40 + tenants.length * 60, 90, 160]]);
    tenants.push({ tenantId, modelId, key: await setup.keyFor(tenantId) });
  }
  await setup.close();

  const shared = {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: PREFIX,
    LOG_LEVEL: 'warn',
    S3_BUCKET: emulator.bucket,
    S3_ENDPOINT: emulator.s3Endpoint,
    SAGEMAKER_ENDPOINT: emulator.runtimeEndpoint,
    TRAINING_ENDPOINT: emulator.trainingEndpoint,
    MME_ENDPOINT: emulator.mmeEndpoint,
    MME_PREFIX: emulator.mmePrefix,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  const apiPort = await kit.freePort();
  const apiBase = `http://127.0.0.1:${apiPort}`;
  const startApi = () =>
    startAppProcess({
      name: 'api',
      app: 'api',
      logDir,
      env: { ...shared, PORT: String(apiPort), STUDIO_ENABLED: 'false' },
      probe: async () => (await fetch(`${apiBase}/readyz`)).ok,
      timeoutMs: 120_000,
    });
  const startWorker = async (n) => {
    const port = await kit.freePort();
    return startAppProcess({
      name: `worker-${n}`,
      app: 'worker',
      logDir,
      env: {
        ...shared,
        WORKER_HEALTH_PORT: String(port),
        GENERATE_CONCURRENCY: '8',
        TRAIN_POLL_INTERVAL: '2s',
        TRAIN_WARM_RETRY_INTERVAL: '1s',
        GENERATE_COLD_RETRY_DELAY: '1s',
        RECONCILE_INTERVAL: '10s',
        RECONCILE_GRACE: '30s',
      },
      probe: async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok,
      timeoutMs: 120_000,
    });
  };
  let api = await startApi();
  const workers = [await startWorker(0), await startWorker(1)];

  // ---- faults, on a schedule relative to the start of the load ----------------------------------------
  const faults = [];
  const progress = () =>
    Object.entries(emulator.stats().s3Requests).reduce((n, [op, c]) => n + (op.includes('Put') ? c : 0), 0);
  const fault = async (kind, action) => {
    const at = Date.now();
    const before = progress();
    await action();
    faults.push({ kind, at, before, recoveredMs: undefined });
  };
  const t0 = Date.now();
  let loadDone = false;
  const crashRedis = () =>
    fault('redis restart (SIGKILL, AOF)', async () => {
      await redis.kill();
      await s.sleep(2_000);
      redis = await redis.restart();
    });
  const schedule = [
    { atMs: 40_000, run: crashRedis },
    {
      atMs: 80_000,
      run: () =>
        fault('api restart (SIGKILL)', async () => {
          await api.kill('SIGKILL');
          api = await startApi();
        }),
    },
    { atMs: 120_000, run: crashRedis },
  ];
  const scheduled = (async () => {
    for (const step of schedule) {
      await s.sleep(Math.max(0, t0 + step.atMs - Date.now()));
      await step.run();
    }
  })();
  const killer = (async () => {
    let n = 2;
    while (!loadDone || Date.now() - t0 < 150_000) {
      await s.sleep(15_000 + Math.random() * 20_000);
      const i = Math.floor(Math.random() * workers.length);
      await fault(`worker SIGKILL (${workers[i].name})`, async () => {
        await workers[i].kill('SIGKILL');
        await s.sleep(1_000 + Math.random() * 2_000);
        workers[i] = await startWorker(n++);
      });
    }
  })();
  const watcher = setInterval(() => {
    const now = progress();
    for (const f of faults) if (f.recoveredMs === undefined && now > f.before) f.recoveredMs = Date.now() - f.at;
  }, 250);

  // ---- load: single generations, batches, trainings, all with Idempotency-Keys ----------------------
  const api$ = { base: () => apiBase };
  const accepted = { generations: [], batches: [], models: [] };
  const refused = {};
  const refuse = (code, n) => (refused[code] = (refused[code] ?? 0) + n);
  const batchItems = Math.floor((GENERATIONS - SINGLES) / (TENANTS.length * BATCHES_PER_TENANT));
  const singles = GENERATIONS - batchItems * TENANTS.length * BATCHES_PER_TENANT;
  const singlesLoad = pool(singles, 8, async (i) => {
    const t = tenants[i % tenants.length];
    const res = await postWithRetry(api$, '/v1/generations', {
      key: t.key,
      idempotencyKey: `chaos-gen-${i}`,
      json: { model: t.modelId, prompt: `chaos portrait ${i}`, numImages: 1 },
    });
    if (res.status === 202) accepted.generations.push({ tenantId: t.tenantId, id: res.body.id, numImages: 1 });
    else refuse(res.body?.error?.code ?? `http_${res.status}`, 1);
  });
  const batchLoad = pool(TENANTS.length * BATCHES_PER_TENANT, 2, async (i) => {
    const t = tenants[i % tenants.length];
    const items = Array.from({ length: batchItems }, (_, k) => ({ prompt: `chaos batch ${i} item ${k}` }));
    const res = await postWithRetry(api$, '/v1/batches', {
      key: t.key,
      idempotencyKey: `chaos-bat-${i}`,
      json: { model: t.modelId, items, defaults: { steps: 20, guidance: 7 } },
    });
    if (res.status === 202) accepted.batches.push({ tenantId: t.tenantId, id: res.body.id, total: batchItems });
    else refuse(res.body?.error?.code ?? `http_${res.status}`, batchItems);
  });
  const trainingLoad = pool(TRAININGS, 2, async (i) => {
    const t = tenants[i % tenants.length];
    const photos = await trainingPhotos(i + 1);
    const res = await postWithRetry(api$, '/v1/models', {
      key: t.key,
      idempotencyKey: `chaos-train-${i}`,
      form: trainingForm(photos, `chaos ${i}`),
    });
    if (res.status === 202) accepted.models.push({ tenantId: t.tenantId, id: res.body.id });
    else refuse(res.body?.error?.code ?? `http_${res.status}`, 1);
  });
  await Promise.all([singlesLoad, batchLoad, trainingLoad]);
  loadDone = true;
  console.log(`chaos: load sent in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await scheduled;
  await killer;

  // ---- drain, then audit from the records -----------------------------------------------------------
  const auditor = await s.buildApi({ redisUrl: redis.url, prefix: PREFIX, emulator, s3 });
  const stores = auditor.stores;
  const total = () =>
    accepted.generations.length + accepted.batches.reduce((n, b) => n + b.total, 0) + accepted.models.length;
  const drainUntil = Date.now() + DRAIN_MS;
  let tally;
  do {
    await s.sleep(5_000);
    tally = audit.emptyTally();
    await audit.auditGenerations(stores, accepted.generations, tally);
    await audit.auditBatches(stores, accepted.batches, tally);
    await audit.auditTrainings(stores, accepted.models, tally);
  } while (tally.lost > 0 && Date.now() < drainUntil);
  clearInterval(watcher);
  const ledger = emulator.ledger();
  const trainingDupes = audit.duplicateTrainingSubmissions(ledger, accepted.models);
  const failed = Object.values(tally.failed).reduce((a, b) => a + b, 0);
  const n = total();
  const requested = GENERATIONS + TRAININGS;

  console.log(
    `requested: ${GENERATIONS} generations (${singles} single requests, ${TENANTS.length * BATCHES_PER_TENANT} batches of ${batchItems}) and ${TRAININGS} trainings, ${TENANTS.length} tenants`,
  );
  console.log(
    `accepted: ${n} of ${requested}${Object.keys(refused).length ? `; refused at intake: ${JSON.stringify(refused)}` : ''}`,
  );
  console.log(`succeeded: ${tally.succeeded}`);
  console.log(`failed: ${failed} ${JSON.stringify(tally.failed)}`);
  console.log(
    `lost (accepted, never finished): ${tally.lost}${tally.pending.length ? ` e.g. ${tally.pending.slice(0, 5).join(', ')}` : ''}`,
  );
  console.log(`duplicate images: ${tally.duplicateImages}`);
  console.log(
    `duplicate training submissions: ${trainingDupes.duplicates}; resubmissions inside the documented window (train-<id>-2…): ${trainingDupes.resubmitted.length}${emulator.stats().ledgerDropped ? ` (ledger dropped ${emulator.stats().ledgerDropped} entries)` : ''}`,
  );
  console.log(`faults fired by the emulator: ${JSON.stringify(emulator.stats().faultsFired)}`);
  for (const f of faults)
    console.log(
      `  ${f.kind} at +${((f.at - t0) / 1000).toFixed(0)} s: ${f.recoveredMs === undefined ? 'no work was left to make progress on' : `progress again after ${(f.recoveredMs / 1000).toFixed(1)} s`}`,
    );
  const longest = {};
  for (const f of faults) {
    const kind = f.kind.replace(/ \(worker-\d+\)/, '');
    if (f.recoveredMs !== undefined) longest[kind] = Math.max(longest[kind] ?? 0, f.recoveredMs);
  }
  console.log(
    `longest time to recover: ${Object.entries(longest)
      .map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`)
      .join('; ')}`,
  );
  console.log(`run took ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  await auditor.close();
  await Promise.all([api.kill('SIGTERM'), ...workers.map((w) => w.kill('SIGTERM'))]);
  await emulator.close();
  await redis.stop();
  console.log(
    `chaos: lost ${tally.lost}, duplicates ${tally.duplicateImages + trainingDupes.duplicates}, failed ${failed} of ${n}`,
  );
}

runBench(main);
