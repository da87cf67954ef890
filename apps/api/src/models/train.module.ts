import { type S3Client } from '@aws-sdk/client-s3';
import { type Queue } from 'bullmq';
import { type Redis } from 'ioredis';
import { trainQueue, type TrainPayload, type TrainResult } from '@dreamqueue/contracts';
import { type Logger } from '@dreamqueue/logger';
import { EventLog, ModelStore } from '@dreamqueue/records';
import { type KeySpace } from '@dreamqueue/redis';
import { S3ObjectStore } from '@dreamqueue/storage';
import { type ApiModule } from '../api-module';
import { type ApiConfig } from '../config';
import { IdempotencyStore } from '../idempotency/idempotency.store';
import { type TenantQuotas } from '../quotas/tenant-quotas';
import { modelRoutes } from './models.routes';
import { cachedCertFetcher } from './sns/sns-signature';
import { snsNotificationRoutes } from './sns/sns-notifications.routes';

export interface TrainModuleDeps {
  config: Readonly<ApiConfig>;
  redis: Redis;
  keySpace: KeySpace;
  queues: Queue[];
  s3: S3Client;
  logger: Logger;
  quotas: TenantQuotas;
}

/**
 * The train half of the API: `/v1/models` (authenticated) and the public SNS receiver through which SageMaker
 * reports a training's outcome.
 */
export function trainModule(deps: TrainModuleDeps): ApiModule {
  const queue = deps.queues.find((q) => q.name === trainQueue.name) as Queue<TrainPayload, TrainResult> | undefined;
  if (!queue) throw new Error('The train queue is missing from the API queues');
  const { config } = deps;
  const models = new ModelStore(deps.redis, deps.keySpace, new EventLog(deps.redis, deps.keySpace), {
    quotaDefaults: deps.quotas.defaults,
  });
  const routes = modelRoutes({
    redis: deps.redis,
    models,
    objects: new S3ObjectStore(deps.s3, config.S3_BUCKET),
    trainQueue: queue,
    logger: deps.logger,
    idempotency: new IdempotencyStore(deps.redis, deps.keySpace, {
      onUnrecorded: (err) => deps.logger.error({ err }, 'created a model but could not store its idempotency record'),
    }),
    quotas: deps.quotas,
    mmePrefix: config.MME_PREFIX,
    uploadLimits: {
      maxFileBytes: config.MODEL_MAX_PHOTO_BYTES,
      maxTotalBytes: config.MODEL_MAX_UPLOAD_BYTES,
      maxFiles: 15,
      maxFields: 8,
      maxFieldBytes: 16 * 1024,
    },
    imageRules: { maxPixels: config.MODEL_MAX_PIXELS, minSide: config.MODEL_MIN_SIDE, storedMaxSide: 2048 },
  });
  const sns = snsNotificationRoutes({
    trainQueue: queue,
    logger: deps.logger,
    topicArns: config.SNS_TOPIC_ARNS,
    allowUnsigned: config.SNS_ALLOW_UNSIGNED,
    fetchCert: cachedCertFetcher(),
    confirmSubscription: async (url) => {
      await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: 'error' });
    },
  });
  return { public: [sns], v1: [routes], admin: [] };
}
