import { type ConnectionOptions } from 'bullmq';
import { type Redis } from 'ioredis';
import { Counter } from 'prom-client';
import { createQueue, generateQueue, trainQueue } from '@dreamqueue/contracts';
import { type Logger } from '@dreamqueue/logger';
import { ActiveIndex, BatchStore, EventLog, GenerationStore, ModelDemand, ModelStore } from '@dreamqueue/records';
import { type KeySpace } from '@dreamqueue/redis';
import { type ObjectStore } from '@dreamqueue/storage';
import { type WorkerConfig } from '../config';
import { type WorkerMetrics } from '../observability/worker-metrics';
import { type ReconcileDeps, type Repair } from './reconcile-deps';
import { Reconciler } from './reconciler';

export interface StartReconcilerDeps {
  config: Readonly<
    Pick<
      WorkerConfig,
      'RECONCILE_INTERVAL' | 'RECONCILE_GRACE' | 'RECONCILE_BATCH_SIZE' | 'MME_PREFIX' | 'BATCH_PROGRESS_INTERVAL'
    >
  >;
  logger: Logger;
  redis: Redis;
  keySpace: KeySpace;
  objects: ObjectStore;
  connection: ConnectionOptions;
  metrics?: WorkerMetrics;
}

export interface RunningReconciler {
  reconciler: Reconciler;
  stop(): Promise<void>;
}

/** The reconciler's dependencies with their own queue handles (close them with `closeQueues`). */
export function createReconcileDeps(
  deps: Omit<StartReconcilerDeps, 'config' | 'metrics'> & {
    mmePrefix: string;
    progressIntervalMs: number;
    repaired: ReconcileDeps['repaired'];
    now?: () => number;
  },
): ReconcileDeps & { closeQueues(): Promise<void> } {
  const { redis, keySpace, logger } = deps;
  const events = new EventLog(redis, keySpace);
  const trainQ = createQueue(trainQueue, { connection: deps.connection, prefix: keySpace.queuePrefix });
  const generateQ = createQueue(generateQueue, { connection: deps.connection, prefix: keySpace.queuePrefix });
  trainQ.on('error', (err) => logger.warn({ err, queue: trainQ.name }, 'queue error'));
  generateQ.on('error', (err) => logger.warn({ err, queue: generateQ.name }, 'queue error'));
  return {
    redis,
    keySpace,
    logger,
    objects: deps.objects,
    mmePrefix: deps.mmePrefix,
    now: deps.now ?? Date.now,
    repaired: deps.repaired,
    trainQueue: trainQ,
    generateQueue: generateQ,
    index: new ActiveIndex(redis, keySpace),
    models: new ModelStore(redis, keySpace, events),
    generations: new GenerationStore(redis, keySpace, events),
    batches: new BatchStore(redis, keySpace, events, { progressIntervalMs: deps.progressIntervalMs }),
    demand: new ModelDemand(redis, keySpace),
    closeQueues: async () => {
      await Promise.all([trainQ.close(), generateQ.close()]);
    },
  };
}

/** Builds the reconciler from the worker's config and starts its loop (not started when the interval is 0). */
export function startReconciler(deps: StartReconcilerDeps): RunningReconciler {
  const { config } = deps;
  const logger = deps.logger.child({ loop: 'reconcile' });
  const repairs =
    deps.metrics &&
    new Counter({
      name: 'dq_reconciler_repairs_total',
      help: 'Repairs made by the reconciler, by resource kind and action.',
      labelNames: ['resource', 'action'],
      registers: [deps.metrics.registry],
    });
  const reconcileDeps = createReconcileDeps({
    ...deps,
    logger,
    mmePrefix: config.MME_PREFIX,
    progressIntervalMs: config.BATCH_PROGRESS_INTERVAL,
    repaired: (repair: Repair) => {
      logger.warn(repair, `reconciler: ${repair.resource} ${repair.action}`);
      repairs?.inc({ resource: repair.resource, action: repair.action });
    },
  });
  const reconciler = new Reconciler(reconcileDeps, {
    intervalMs: config.RECONCILE_INTERVAL,
    graceMs: config.RECONCILE_GRACE,
    batchSize: config.RECONCILE_BATCH_SIZE,
  });
  if (config.RECONCILE_INTERVAL > 0) reconciler.start();
  return {
    reconciler,
    async stop() {
      await reconciler.stop();
      await reconcileDeps.closeQueues();
    },
  };
}
