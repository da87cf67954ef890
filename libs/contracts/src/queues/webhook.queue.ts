import { z } from 'zod';
import { tenantIdSchema } from '../ids';
import { RETENTION } from '../queue-defaults';
import { defineQueue } from '../queue-definition';
import { JobTrace } from './job-trace';

/** One delivery of one event to one URL; the URL and signing secrets are read at send time, not stored here. */
export const WebhookPayload = z.object({
  tenantId: tenantIdSchema,
  eventId: z.string().min(1),
  trace: JobTrace.optional(),
});
export type WebhookPayload = z.output<typeof WebhookPayload>;

export const WebhookResult = z.object({ status: z.number().int(), attempts: z.number().int() });
export type WebhookResult = z.output<typeof WebhookResult>;

export const webhookQueue = defineQueue({
  name: 'webhooks',
  payload: WebhookPayload,
  result: WebhookResult,
  // ~ 1 s, 2 s, 4 s … capped by attempts; the failed set is the dead-letter state operators redeliver from.
  defaultJobOptions: { attempts: 8, backoff: { type: 'exponential', delay: 1_000, jitter: 0.2 }, ...RETENTION },
});
