import { type ConnectionOptions } from 'bullmq';
import { type Redis } from 'ioredis';
import { createQueue, webhookQueue, type TypedQueue } from '@dreamqueue/contracts';
import { type Logger } from '@dreamqueue/logger';
import {
  EventLog,
  JobIndex,
  JobIndexRetention,
  WebhookDeliveries,
  WebhookTargets,
  type StoredEvent,
} from '@dreamqueue/records';
import { type KeySpace } from '@dreamqueue/redis';
import { type WorkerConfig } from '../config';
import { EventStreamTrimmer } from '../indexing/event-stream-trimmer';
import { JobIndexPruner } from '../indexing/job-index-pruner';
import { createJobIndexer } from '../indexing/job-indexer';
import { StreamConsumer } from '../indexing/stream-consumer';
import { countEvent } from '../observability/instrument-workers';
import { type WorkerMetrics } from '../observability/worker-metrics';
import { createWebhookDispatcher } from '../webhooks/webhook-dispatcher';
import { Canary } from './canary';
import { startHealthServer } from './health-server';

export interface OperationsDeps {
  config: Readonly<Pick<WorkerConfig, OperationsConfigKey>>;
  logger: Logger;
  /** The worker's record connection; duplicated for the blocking stream reads. */
  redis: Redis;
  keySpace: KeySpace;
  connection: ConnectionOptions;
  metrics: WorkerMetrics;
  /** See JobIndexerDeps.modelOf. */
  modelOf?: (event: StoredEvent) => Promise<string | undefined>;
}

type OperationsConfigKey =
  | 'WORKER_HEALTH_PORT'
  | 'WORKER_HEALTH_HOST'
  | 'CANARY_INTERVAL'
  | 'READY_MAX_AGE'
  | 'LIVE_MAX_AGE'
  | 'METRICS_TOKEN'
  | 'WEBHOOK_BACKOFF'
  | 'JOB_INDEX_RETENTION'
  | 'JOB_INDEX_PRUNE_INTERVAL';

/** Time between trims of the global event stream (each removes at most 10 000 acknowledged entries). */
const EVENT_STREAM_TRIM_INTERVAL_MS = 5_000;

export interface Operations {
  healthPort: number;
  canary: Canary;
  stop(): Promise<void>;
}

/**
 * The worker's background loops besides its BullMQ workers: the job-search indexer and the webhook
 * dispatcher (both consumer groups on the deployment-wide event stream), the stream's trimmer (which
 * never passes what a group has not acknowledged), the health canary, and the probe/metrics server.
 */
export async function startOperations(deps: OperationsDeps): Promise<Operations> {
  const { config, logger, redis, keySpace, metrics } = deps;
  const eventLog = new EventLog(redis, keySpace);
  const stream = eventLog.globalStreamKey();
  const webhooks: TypedQueue<typeof webhookQueue> = createQueue(webhookQueue, {
    connection: deps.connection,
    prefix: keySpace.queuePrefix,
  });
  webhooks.on('error', (err) => logger.warn({ err, queue: webhookQueue.name }, 'queue error'));

  const consumers = [
    new StreamConsumer({
      redis: redis.duplicate(),
      stream,
      group: 'job-index',
      startAt: '0',
      onLost: (ids) => metrics.eventsLost.inc({ group: 'job-index' }, ids.length),
      logger: logger.child({ loop: 'job-index' }),
      handle: createJobIndexer({
        index: new JobIndex(redis, keySpace),
        modelOf: deps.modelOf,
        observe: (e) => countEvent(metrics, e),
      }),
    }),
    new StreamConsumer({
      redis: redis.duplicate(),
      stream,
      group: 'webhooks',
      startAt: '$',
      onLost: (ids) => metrics.eventsLost.inc({ group: 'webhooks' }, ids.length),
      logger: logger.child({ loop: 'webhook-dispatch' }),
      handle: createWebhookDispatcher({
        targets: new WebhookTargets(redis, keySpace),
        deliveries: new WebhookDeliveries(redis, keySpace),
        queue: webhooks,
        backoffMs: config.WEBHOOK_BACKOFF,
      }),
    }),
  ];
  for (const consumer of consumers) consumer.start();
  const pruner = new JobIndexPruner({
    retention: new JobIndexRetention(redis, keySpace),
    logger: logger.child({ loop: 'job-index-prune' }),
    retentionMs: config.JOB_INDEX_RETENTION,
    intervalMs: config.JOB_INDEX_PRUNE_INTERVAL,
  });
  pruner.start();
  const trimmer = new EventStreamTrimmer({
    redis,
    stream,
    keep: eventLog.globalMaxLength,
    intervalMs: EVENT_STREAM_TRIM_INTERVAL_MS,
    logger: logger.child({ loop: 'event-stream-trim' }),
  });
  trimmer.start();

  const canary = new Canary({
    connection: deps.connection,
    prefix: keySpace.queuePrefix,
    logger,
    intervalMs: config.CANARY_INTERVAL,
    giveUpMs: config.READY_MAX_AGE,
    onRoundTrip: (ms) => metrics.canaryRoundTrip.set(ms / 1000),
  });
  canary.start();
  const health = await startHealthServer({
    port: config.WORKER_HEALTH_PORT,
    host: config.WORKER_HEALTH_HOST,
    canaryAge: () => canary.age(),
    canaryLatencyMs: () => canary.lastLatencyMs,
    redisConnected: () => redis.status === 'ready',
    readyMaxAgeMs: config.READY_MAX_AGE,
    liveMaxAgeMs: config.LIVE_MAX_AGE,
    registry: metrics.registry,
    metricsToken: config.METRICS_TOKEN,
    onError: (err) => logger.error({ err }, 'health server request failed'),
  });
  logger.info({ port: health.port, canaryQueue: canary.queueName }, 'worker health and metrics listening');

  return {
    healthPort: health.port,
    canary,
    async stop() {
      await Promise.all([...consumers.map((c) => c.stop()), pruner.stop(), trimmer.stop()]);
      await canary.stop();
      await webhooks.close();
      await health.close();
    },
  };
}
