import { type S3Client } from '@aws-sdk/client-s3';
import { type Queue } from 'bullmq';
import { type Redis } from 'ioredis';
import { PRIORITY, generateQueue, type GeneratePayload, type TypedQueue } from '@dreamqueue/contracts';
import { type Logger } from '@dreamqueue/logger';
import {
  BatchStore,
  EventLog,
  GenerationIntake,
  GenerationStore,
  ModelDemand,
  ModelStore,
  WebhookSecrets,
  WebhookTargets,
} from '@dreamqueue/records';
import { prioritizedJobWriter, type KeySpace } from '@dreamqueue/redis';
import { S3ObjectStore } from '@dreamqueue/storage';
import { batchRoutes } from '../batches/batches.routes';
import { type ApiModule } from '../api-module';
import { type ApiConfig } from '../config';
import { IdempotencyStore } from '../idempotency/idempotency.store';
import { type TenantQuotas } from '../quotas/tenant-quotas';
import { type GenerationDeps } from './generation-deps';
import { generationRoutes } from './generations.routes';
import { ModelStoreLookup } from './model-lookup';

export interface GenerateModuleDeps {
  config: Pick<
    ApiConfig,
    | 'S3_BUCKET'
    | 'MME_PREFIX'
    | 'PRESIGN_EXPIRY_SECONDS'
    | 'WEBHOOK_ALLOW_HTTP'
    | 'WEBHOOK_ALLOW_HOSTS'
    | 'BATCH_MAX_BODY_BYTES'
  >;
  redis: Redis;
  keySpace: KeySpace;
  queues: Queue[];
  s3: S3Client;
  logger?: Logger;
  /** The tenants' quotas, enforced where generations and batches are accepted. */
  quotas: TenantQuotas;
}

/**
 * The generate half of the API: `/v1/generations` (one interactive job each) and `/v1/batches` (many
 * items in chunked jobs), both feeding the generate queue.
 */
export function generateModule(deps: GenerateModuleDeps): ApiModule {
  const { config, redis, keySpace } = deps;
  const events = new EventLog(redis, keySpace);
  const objects = new S3ObjectStore(deps.s3, config.S3_BUCKET);
  const queue = deps.queues.find((q) => q.name === generateQueue.name) as TypedQueue<typeof generateQueue> | undefined;
  if (!queue) throw new Error('The generate queue is missing from the API queues');
  const generations = new GenerationStore(redis, keySpace, events);
  const demand = new ModelDemand(redis, keySpace);
  const models = new ModelStore(redis, keySpace, events);
  const generationDeps: GenerationDeps = {
    redis,
    keySpace,
    queue,
    generations,
    intake: new GenerationIntake(
      redis,
      keySpace,
      events,
      { generations, models, demand },
      { quotaDefaults: deps.quotas.defaults },
    ),
    interactiveJob: prioritizedJobWriter<GeneratePayload>(queue, generateQueue.name, PRIORITY.interactive),
    batches: new BatchStore(redis, keySpace, events, { quotaDefaults: deps.quotas.defaults }),
    demand,
    models: new ModelStoreLookup(models, objects, config.MME_PREFIX),
    objects,
    webhookTargets: new WebhookTargets(redis, keySpace),
    webhookSecrets: new WebhookSecrets(redis, keySpace),
    idempotency: new IdempotencyStore(redis, keySpace, {
      onUnrecorded: (err) =>
        deps.logger?.error({ err }, 'created a resource but could not store its idempotency record'),
    }),
    quotas: deps.quotas,
    webhookPolicy: { allowHttp: config.WEBHOOK_ALLOW_HTTP, allowHosts: config.WEBHOOK_ALLOW_HOSTS },
    presignExpirySeconds: config.PRESIGN_EXPIRY_SECONDS,
    batchMaxBytes: config.BATCH_MAX_BODY_BYTES,
  };
  return { public: [], v1: [generationRoutes(generationDeps), batchRoutes(generationDeps)], admin: [] };
}
