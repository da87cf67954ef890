import { conflict } from '@dreamqueue/errors';
import { type WebhookSecrets } from '@dreamqueue/records';
import { validateWebhookUrl, type WebhookUrlPolicy } from './webhook-url';

/**
 * A webhook URL given with one resource (generation, batch): checked like any webhook URL, and accepted
 * only once the tenant has a signing secret. Deliveries are signed with the tenant's secret; a secret made
 * at send time would sign with a key the tenant never saw, so its receiver could verify nothing. The
 * secret is shown once, by `PUT /v1/webhooks/default` or `POST /v1/webhooks/secrets/rotate`.
 */
export async function resourceWebhookUrl(
  raw: string | undefined,
  deps: { webhookPolicy: WebhookUrlPolicy; webhookSecrets: Pick<WebhookSecrets, 'exists'> },
  tenantId: string,
  field = 'webhookUrl',
): Promise<string | undefined> {
  if (raw === undefined) return undefined;
  const url = validateWebhookUrl(raw, deps.webhookPolicy, field);
  if (!(await deps.webhookSecrets.exists(tenantId)))
    throw conflict(
      'webhook_secret_required',
      'Webhooks are signed with your webhook secret, and you have none yet: create it with POST /v1/webhooks/secrets/rotate (it is shown once), then send webhookUrl again.',
    );
  return url;
}
