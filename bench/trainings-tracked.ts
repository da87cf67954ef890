/**
 * How many trainings one worker tracks at once, and what tracking costs.
 *
 *   node -r ./tools/swc-register.js bench/trainings-tracked.ts [trainings=1000] [windowSeconds=60]
 *
 * Starts a private redis-server, the emulator (trainings last 25 emulated minutes at timeScale 1, all running
 * at once) and ONE train worker in-process with the default settings (TRAIN_CONCURRENCY 4, poll 15 s → 2 m).
 * Submits N trainings, waits until every one is in the await step (a delayed job: no worker slot held),
 * then measures over the window: Redis commands per training per minute (INFO commandstats deltas,
 * all clients) and the worker process's CPU (process.cpuUsage; the emulator runs in this process too, so
 * the figure is an upper bound). Prints the figures with the machine used.
 */
import { cpus, totalmem } from 'node:os';
import { Worker } from 'bullmq';
import sharp from 'sharp';
import { SageMakerAsyncInference, SageMakerMultiModelInference } from '@dreamqueue/aws';
import { createQueue, TrainingParams, trainQueue } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { EventLog, ModelStore } from '@dreamqueue/records';
import { createKeySpace, createRedisConnection, waitForReady } from '@dreamqueue/redis';
import { keys, S3ObjectStore } from '@dreamqueue/storage';
import { s3ClientFor, sageMakerRuntimeClientFor, startRedisServer, startTestEmulator } from '@dreamqueue/testing';
import { loadWorkerConfig } from '../apps/worker/src/config';
import { trainModule } from '../apps/worker/src/train/train.module';

const N = Number(process.argv[2] ?? 1000);
const WINDOW_S = Number(process.argv[3] ?? 60);
const PHOTOS = 3; // the emulator's minimum; tracking cost does not depend on the photo count

async function main(): Promise<void> {
  const redisServer = await startRedisServer();
  const emulator = await startTestEmulator({
    timeScale: 1,
    trainingSeconds: 1500,
    trainingConcurrency: N,
    coldLoadSeconds: 5,
  });
  const redis = createRedisConnection({ url: redisServer.url, role: 'worker' });
  await waitForReady(redis);
  const keySpace = createKeySpace('{bench}');
  const events = new EventLog(redis, keySpace);
  const models = new ModelStore(redis, keySpace, events);
  const objects = new S3ObjectStore(s3ClientFor(emulator), emulator.bucket);
  const queue = createQueue(trainQueue, { connection: { url: redisServer.url }, prefix: keySpace.queuePrefix });
  const config = loadWorkerConfig({
    LOG_LEVEL: 'silent',
    S3_BUCKET: emulator.bucket,
    TRAINING_ENDPOINT: emulator.trainingEndpoint,
    MME_ENDPOINT: emulator.mmeEndpoint,
    MME_PREFIX: emulator.mmePrefix,
  });
  const runtime = sageMakerRuntimeClientFor(emulator);
  const logger = createLogger({ name: 'bench', level: 'silent' });
  const entry = trainModule({
    config,
    logger,
    redis,
    keySpace,
    objects,
    events,
    asyncInference: new SageMakerAsyncInference(runtime),
    mme: new SageMakerMultiModelInference(runtime),
  });

  const photo = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 120, g: 80, b: 200 } } })
    .jpeg()
    .toBuffer();
  console.log(`creating ${N} models…`);
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const id = `mdl_bench${String(i).padStart(5, '0')}`;
    ids.push(id);
    await Promise.all(
      Array.from({ length: PHOTOS }, (_, p) => objects.put(keys.trainingPhoto('bench', id, p), photo, 'image/jpeg')),
    );
    const now = new Date().toISOString();
    await models.create({
      id,
      tenantId: 'bench',
      name: id,
      token: '<<bench>>',
      subjectClass: 'person',
      triggerPhrase: 'photo of <<bench>> person',
      params: TrainingParams.parse({}),
      photoCount: PHOTOS,
      status: 'queued',
      progress: 0,
      stages: { queued: now },
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
  }
  await queue.addBulk(
    ids.map((id) => ({
      name: trainQueue.name,
      data: { tenantId: 'bench', modelId: id, step: 'prepare' as const, checkpoint: {} },
      opts: { jobId: id },
    })),
  );

  const cpuStart = process.cpuUsage();
  const t0 = Date.now();
  const worker = new Worker(trainQueue.name, entry.process as never, {
    connection: { url: redisServer.url, maxRetriesPerRequest: null },
    prefix: keySpace.queuePrefix,
    ...entry.options,
  });
  worker.on('error', () => undefined);
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
    const training = (await Promise.all(ids.slice(-20).map((id) => models.get('bench', id)))).every(
      (m) => m?.status === 'training',
    );
    if (counts.delayed === N && training) break;
    if (counts.failed > 0) throw new Error(`${counts.failed} trainings failed during submission`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const submitSeconds = (Date.now() - t0) / 1000;
  const submitCpu = process.cpuUsage(cpuStart);
  console.log(
    `${N} trainings submitted and parked in ${submitSeconds.toFixed(1)} s (worker concurrency ${config.TRAIN_CONCURRENCY})`,
  );

  const before = await commandStats(redis);
  const cpu0 = process.cpuUsage();
  const w0 = Date.now();
  let maxActive = 0;
  while (Date.now() - w0 < WINDOW_S * 1000) {
    maxActive = Math.max(maxActive, (await queue.getJobCounts('active')).active);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const elapsedMin = (Date.now() - w0) / 60_000;
  const cpu = process.cpuUsage(cpu0);
  const after = await commandStats(redis);
  const probe = WINDOW_S + 2; // the probe's own getJobCounts calls (≈ 1 per second) are excluded below
  const calls = total(after) - total(before) - probe * 2;
  const top = [...after.entries()]
    .map(([name, n]) => [name, n - (before.get(name) ?? 0)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([name, n]) => `${name} ${(n / N / elapsedMin).toFixed(1)}`);
  const asyncCalls = emulator.ledger().filter((e) => e.op === 'InvokeEndpointAsync').length;

  console.log(
    JSON.stringify(
      {
        machine: {
          cpus: cpus().length,
          model: cpus()[0]?.model,
          memoryGb: Math.round(totalmem() / 2 ** 30),
          node: process.version,
        },
        trainings: N,
        trackedAtOnceByOneWorker: (await queue.getJobCounts('delayed')).delayed,
        workerConcurrency: config.TRAIN_CONCURRENCY,
        maxActiveJobsDuringWindow: maxActive,
        asyncInvocations: asyncCalls,
        submitPhase: { seconds: submitSeconds, cpuSeconds: (submitCpu.user + submitCpu.system) / 1e6 },
        window: {
          seconds: Math.round(elapsedMin * 60),
          redisCommandsPerTrainingPerMinute: +(calls / N / elapsedMin).toFixed(2),
          redisCommandsPerSecond: +(calls / (elapsedMin * 60)).toFixed(1),
          topCommandsPerTrainingPerMinute: top,
          processCpuPercentOfOneCore: +(((cpu.user + cpu.system) / 1e6 / (elapsedMin * 60)) * 100).toFixed(2),
        },
      },
      null,
      2,
    ),
  );
  await worker.close(true);
  await queue.close();
  redis.disconnect();
  await emulator.close();
  await redisServer.stop();
}

/** Calls per command since the server started (commands run inside Lua scripts count too). */
async function commandStats(redis: { info(section: string): Promise<string> }): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  return new Map([...info.matchAll(/cmdstat_([a-z|_-]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
}

const total = (stats: Map<string, number>) => [...stats.values()].reduce((a, b) => a + b, 0);

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
