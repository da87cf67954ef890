import { once } from 'node:events';
import { type Server } from 'node:http';
import { createS3Client, createSageMakerClient } from '@dreamqueue/aws';
import { localCredentials } from '@dreamqueue/config';
import { QUEUE_CATALOG, createQueue } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { createKeySpace, createRedisConnection, waitForReady } from '@dreamqueue/redis';
import { carryTraceContext, createOtlpExporter, startTracing } from '@dreamqueue/tracing';
import { createApp } from './app';
import { IntakeBudget } from './middleware/intake-budget';
import { ApiKeyStore } from './auth/api-key.store';
import { loadApiConfig } from './config';
import { generateModule } from './generations/generate.module';
import { trainModule } from './models/train.module';
import { readinessChecks } from './readiness';
import { operationsModule } from './admin/operations.module';
import { studioRoutes } from './studio/studio.routes';
import { notificationsModule } from './events/notifications.module';
import { quotasModule } from './quotas/quotas.module';
import { TenantQuotas } from './quotas/tenant-quotas';
import { usageModule } from './usage/usage.module';

/** Composition root of the API: config → connections → clients → app → listen. */
export async function main(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ server: Server; stop: () => Promise<void> }> {
  const config = loadApiConfig(env);
  // An access line per request: written asynchronously, so lines logged during one write share the next.
  const logger = createLogger({ name: 'dreamqueue-api', level: config.LOG_LEVEL, asyncStdout: true });
  // Off by default. On: a server span per request, and every enqueued job carries its traceparent.
  const tracing = config.OTEL_ENABLED
    ? startTracing({
        serviceName: config.OTEL_SERVICE_NAME ?? 'dreamqueue-api',
        exporter: createOtlpExporter(config.OTEL_EXPORTER_OTLP_ENDPOINT),
      })
    : undefined;
  const keySpace = createKeySpace(config.QUEUE_PREFIX);
  const redis = createRedisConnection({
    url: config.REDIS_URL,
    role: 'producer',
    connectionName: 'dq-api',
    coalesceWrites: true,
  });
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  await waitForReady(redis, 30_000);

  const connection = { url: config.REDIS_URL, enableOfflineQueue: false } as const;
  const queues = Object.values(QUEUE_CATALOG).map((definition) => {
    const queue = createQueue(definition, { connection, prefix: keySpace.queuePrefix });
    queue.on('error', (err) => logger.warn({ err, queue: definition.name }, 'queue error'));
    return queue;
  });
  if (tracing) queues.forEach((queue) => carryTraceContext(queue));

  const credentials = localCredentials(config, env);
  const aws = { region: config.AWS_REGION, credentials };
  const s3 = createS3Client({ ...aws, endpoint: config.S3_ENDPOINT });
  const sageMaker = createSageMakerClient({ ...aws, endpoint: config.SAGEMAKER_ENDPOINT });

  const apiKeys = new ApiKeyStore(redis, keySpace, { cacheTtlMs: config.API_KEY_CACHE_TTL });
  if (config.BOOTSTRAP_API_KEY) {
    const { record } = await apiKeys.create({
      tenantId: config.BOOTSTRAP_TENANT,
      role: 'admin',
      name: 'bootstrap',
      key: config.BOOTSTRAP_API_KEY,
    });
    logger.info({ keyId: record.id, tenantId: record.tenantId, prefix: record.prefix }, 'bootstrap API key registered');
  }

  const quotas = new TenantQuotas(redis, keySpace, {
    queuedItems: config.QUOTA_DEFAULT_QUEUED_ITEMS,
    concurrentTrainings: config.QUOTA_DEFAULT_CONCURRENT_TRAININGS,
    imagesPerMinute: config.QUOTA_DEFAULT_IMAGES_PER_MINUTE,
  });
  const train = trainModule({ config, redis, keySpace, queues, s3, logger, quotas });
  const generate = generateModule({ config, redis, keySpace, queues, s3, logger, quotas });
  const operations = operationsModule({ config, redis, keySpace, queues });
  const notifications = notificationsModule({ config, redis, keySpace });
  const usage = usageModule({ redis, keySpace });
  const modules = [operations, train, generate, notifications, quotasModule({ quotas }), usage];
  const app = createApp({
    logger,
    redis,
    keySpace,
    apiKeys,
    queues,
    readiness: readinessChecks({
      redis,
      s3,
      sageMaker,
      bucket: config.S3_BUCKET,
      endpoints: [config.TRAINING_ENDPOINT, config.MME_ENDPOINT],
    }),
    adminEnabled: config.ADMIN_ENABLED,
    authFailuresPerMinute: config.AUTH_FAILURES_PER_MINUTE,
    trustProxy: config.TRUST_PROXY,
    intakeBudget: new IntakeBudget(config.INTAKE_MAX_BYTES_IN_FLIGHT, {
      // Multipart framing adds a little to the photos' bytes.
      '/models': config.MODEL_MAX_UPLOAD_BYTES + 1024 * 1024,
      '/batches': config.BATCH_MAX_BODY_BYTES,
    }),
    // Operations first: its request timing also times every later request.
    publicRouters: [
      ...modules.flatMap((m) => m.public),
      ...(config.STUDIO_ENABLED ? [studioRoutes(config.STUDIO_DIR)] : []),
    ],
    v1Routers: modules.flatMap((m) => m.v1),
    adminRouters: modules.flatMap((m) => m.admin),
  });

  const server = app.listen(config.PORT, config.HOST);
  server.requestTimeout = config.REQUEST_TIMEOUT;
  server.headersTimeout = config.HEADERS_TIMEOUT;
  await once(server, 'listening');
  logger.info({ port: (server.address() as { port: number }).port }, 'api listening');

  const stop = async () => {
    // Stop intake first, then let in-flight requests finish before closing what they use. Event streams
    // never finish on their own: after a grace period they are cut, and clients resume with Last-Event-ID.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const cut = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_GRACE);
    await closed;
    clearTimeout(cut);
    await Promise.all(queues.map((q) => q.close()));
    redis.disconnect();
    s3.destroy();
    sageMaker.destroy();
    await tracing?.shutdown();
    logger.info('api stopped');
    logger.flush();
  };
  return { server, stop };
}

if (require.main === module) {
  main()
    .then(({ stop }) => {
      const shutdown = () => void stop().then(() => process.exit(0));
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((err: unknown) => {
      // eslint-disable-next-line no-console -- bootstrap failure before a logger exists
      console.error((err as Error).message);
      process.exit(1);
    });
}
