import { generateQueue } from './queues/generate.queue';
import { trainQueue } from './queues/train.queue';
import { webhookQueue } from './queues/webhook.queue';

/**
 * Every queue dreamqueue runs. The worker registers processors through a mapped type over this object,
 * so adding a queue here without a processor does not compile.
 */
export const QUEUE_CATALOG = {
  train: trainQueue,
  generate: generateQueue,
  webhooks: webhookQueue,
} as const;

export type QueueCatalog = typeof QUEUE_CATALOG;
export type QueueKey = keyof QueueCatalog;
