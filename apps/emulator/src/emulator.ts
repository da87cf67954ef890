import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SETUP_MODEL } from '@dreamqueue/contracts';
import { createLogger, type Logger } from '@dreamqueue/logger';
import { readFile } from 'node:fs/promises';
import { createRuntimeApp } from './app';
import { ContainerBackend, type ContainerBackendRef } from './containers/container-backend';
import { Clock } from './clock';
import { type EmulatorContext } from './context';
import { snapshotStats } from './control/snapshot';
import { FaultInjector } from './faults/fault-injector';
import { type FaultRule } from './faults/fault-rule';
import { closeServer, listen } from './http/listen';
import { buildSetupArtifact } from './model/setup-artifact';
import { Ledger, type LedgerEntry } from './observe/ledger';
import { type EmulatorStats, StatsRecorder } from './observe/stats';
import { type EmulatorOptions, resolveOptions, type TunableSettings, validateTunable } from './options';
import { MmeService } from './runtime/mme/mme.service';
import { createTrainingQueue } from './runtime/training/training-wiring';
import { ObjectStore } from './s3/object-store';
import { createS3Proxy } from './s3/s3-proxy';
import { startS3rver } from './s3/s3rver.process';

/** A started emulator: where to point clients, and handles for tests and the launcher. */
export interface RunningEmulator {
  /** The S3 endpoint clients use (path style, credentials S3RVER/S3RVER), e.g. `http://127.0.0.1:4568`. */
  s3Endpoint: string;
  /** The SageMaker endpoint for both the runtime and the control-plane (DescribeEndpoint) clients. */
  runtimeEndpoint: string;
  bucket: string;
  trainingEndpoint: string;
  mmeEndpoint: string;
  mmePrefix: string;
  asyncOutputPrefix: string;
  asyncFailurePrefix: string;
  stats(): EmulatorStats;
  ledger(): LedgerEntry[];
  /** Replaces the fault rules and re-seeds the RNG (the scenario replays from its start). */
  setFaults(rules: FaultRule[]): void;
  /** Changes latency, capacity, cold-load, training and time-scale settings while running. */
  configure(patch: Partial<TunableSettings>): void;
  /** Clears stats, ledger and faults (S3 contents and loaded models stay). */
  reset(): void;
  /** Stops both servers, aborts running trainings (they resume on the next start) and stops s3rver. */
  close(): Promise<void>;
}

/** Starts s3rver, the S3 proxy and the SageMaker server. Nothing happens at import time. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const { fixed, tunable } = resolveOptions(options);
  const logger: Logger = fixed.logger ?? createLogger({ name: 'emulator' });
  mkdirSync(fixed.dataDir, { recursive: true });
  const s3rver = await startS3rver(join(fixed.dataDir, 's3'), fixed.bucket);
  const ledger = new Ledger();
  const stats = new StatsRecorder();
  const clock = new Clock(tunable);
  const faults = new FaultInjector(fixed.seed, fixed.faults);
  const store = new ObjectStore(s3rver.url, fixed.bucket, ledger);
  const containers: ContainerBackendRef = {};
  const mme = new MmeService({
    containers,
    store,
    clock,
    settings: tunable,
    stats,
    endpoint: fixed.mmeEndpoint,
    bucket: fixed.bucket,
    prefix: fixed.mmePrefix,
    instances: fixed.mmeInstances,
  });
  const { queue: trainings, pending } = createTrainingQueue({
    containers,
    store,
    clock,
    settings: tunable,
    faults,
    stats,
    logger,
    bucket: fixed.bucket,
    mmePrefix: fixed.mmePrefix,
    dataDir: fixed.dataDir,
  });
  const ctx: EmulatorContext = {
    options: fixed,
    settings: tunable,
    clock,
    faults,
    ledger,
    stats,
    mme,
    trainings,
    logger,
    persistTraining: (request) => pending.save(request),
    configure: (patch) => {
      const next = { ...tunable, ...patch };
      validateTunable(next);
      Object.assign(tunable, next);
    },
    reset: () => {
      stats.reset();
      ledger.clear();
      faults.reset();
    },
  };
  const runtimeServer = createServer(createRuntimeApp(ctx));
  const proxy = createS3Proxy({ upstream: s3rver.url, faults, ledger, stats, clock, logger });
  const shutdown = async () => {
    await trainings.close();
    await containers.backend?.close();
    await Promise.all([closeServer(runtimeServer), closeServer(proxy.server)]);
    proxy.close();
    store.close();
    await s3rver.close();
  };
  try {
    const runtimePort = await listen(runtimeServer, fixed.runtimePort, fixed.host);
    const s3Port = await listen(proxy.server, fixed.s3Port, fixed.host);
    const urlHost = fixed.host.includes(':') ? `[${fixed.host}]` : fixed.host;
    if (fixed.backend === 'containers') {
      // The real code runs in Python children that upload through this emulator's S3, so they start now.
      const started = await ContainerBackend.start({
        python: fixed.python,
        workDir: join(fixed.dataDir, 'containers'),
        s3Endpoint: `http://${urlHost}:${s3Port}`,
        bucket: fixed.bucket,
        mmePrefix: fixed.mmePrefix,
        maxSteps: fixed.containersMaxSteps,
        logger,
      });
      containers.backend = started.backend;
      await store.put(`${fixed.mmePrefix}${SETUP_MODEL}`, await readFile(started.setupArchive), 'application/gzip');
    } else {
      await store.put(`${fixed.mmePrefix}${SETUP_MODEL}`, await buildSetupArtifact(), 'application/gzip');
    }
    for (const request of pending.load((file, err) =>
      logger.warn({ err, file }, 'skipping unreadable pending training'),
    )) {
      trainings.submit(request);
    }
    return {
      s3Endpoint: `http://${urlHost}:${s3Port}`,
      runtimeEndpoint: `http://${urlHost}:${runtimePort}`,
      bucket: fixed.bucket,
      trainingEndpoint: fixed.trainingEndpoint,
      mmeEndpoint: fixed.mmeEndpoint,
      mmePrefix: fixed.mmePrefix,
      asyncOutputPrefix: fixed.asyncOutputPrefix,
      asyncFailurePrefix: fixed.asyncFailurePrefix,
      stats: () => snapshotStats(ctx),
      ledger: () => ledger.list(),
      setFaults: (rules) => faults.setRules(rules),
      configure: ctx.configure,
      reset: ctx.reset,
      close: shutdown,
    };
  } catch (err) {
    await shutdown();
    throw err;
  }
}
