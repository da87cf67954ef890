import { badRequest } from '@dreamqueue/errors';
import { WebhookUrlRejected, checkWebhookUrl, type WebhookAddressPolicy } from '@dreamqueue/webhook-address';

/** `WEBHOOK_ALLOW_HTTP` and `WEBHOOK_ALLOW_HOSTS`: the same policy the worker applies at send time. */
export type WebhookUrlPolicy = WebhookAddressPolicy;

/**
 * First line of SSRF defence at intake, for every webhook URL a tenant gives (per resource or default), by
 * the shared address policy. The worker resolves DNS and checks every address again at send time.
 */
export function validateWebhookUrl(raw: string, policy: WebhookUrlPolicy, field = 'webhookUrl'): string {
  try {
    return checkWebhookUrl(raw, policy).url.toString();
  } catch (err) {
    if (err instanceof WebhookUrlRejected) throw badRequest('invalid_webhook_url', `${field} ${err.message}.`);
    throw err;
  }
}
