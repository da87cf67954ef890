import { type Redis } from 'ioredis';
import { type GeneratePayload, type TypedQueue, type generateQueue } from '@dreamqueue/contracts';
import {
  type BatchStore,
  type GenerationIntake,
  type GenerationStore,
  type ModelDemand,
  type WebhookSecrets,
  type WebhookTargets,
} from '@dreamqueue/records';
import { type KeySpace, type PrioritizedJobWrite } from '@dreamqueue/redis';
import { type ObjectStore } from '@dreamqueue/storage';
import { type IdempotencyStore } from '../idempotency/idempotency.store';
import { type TenantQuotas } from '../quotas/tenant-quotas';
import { type ModelLookup } from './model-lookup';
import { type WebhookUrlPolicy } from '../webhooks/webhook-url';

/** What the generation and batch routes need; built in main.ts. */
export interface GenerationDeps {
  redis: Redis;
  keySpace: KeySpace;
  queue: TypedQueue<typeof generateQueue>;
  generations: GenerationStore;
  /** Creates a generation with its model check, job, event and demand count in one step. */
  intake: GenerationIntake;
  /** A generation's job for the intake script: the generate queue's `queue.add` at interactive priority. */
  interactiveJob: (jobId: string, data: GeneratePayload, timestamp: number) => PrioritizedJobWrite;
  batches: BatchStore;
  demand: ModelDemand;
  models: ModelLookup;
  objects: ObjectStore;
  webhookTargets: WebhookTargets;
  /** A per-resource webhook URL is accepted only once the tenant has a signing secret. */
  webhookSecrets: Pick<WebhookSecrets, 'exists'>;
  idempotency: IdempotencyStore;
  /** Asked before a batch's items are stored, so a batch over quota stores nothing. */
  quotas: Pick<TenantQuotas, 'precheck'>;
  webhookPolicy: WebhookUrlPolicy;
  /** Lifetime of presigned image URLs in responses (≤ 3600 s). */
  presignExpirySeconds: number;
  /** Largest JSON batch body accepted, and largest NDJSON stream. @defaultValue 64 MiB */
  batchMaxBytes?: number;
  /** Rough seconds per invocation and parallel invocations, for a queued generation's ETA. */
  eta?: { secondsPerInvocation: number; parallelism: number };
}
