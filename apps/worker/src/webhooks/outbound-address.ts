import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import {
  WebhookUrlRejected,
  checkAddress,
  checkWebhookUrl,
  type WebhookAddressPolicy,
} from '@dreamqueue/webhook-address';

/**
 * SSRF guard for webhook URLs at send time. A tenant chooses the URL, so without this a webhook could reach
 * the instance metadata service (169.254.169.254), Redis on localhost or anything on the VPC. The shared
 * policy (the one the API applied at registration) is checked against every address DNS returned, and the
 * request then connects to that pinned address: a name that re-resolves to 10.0.0.5 between check and
 * connect (DNS rebinding) cannot win.
 */
export type OutboundPolicy = WebhookAddressPolicy;

export interface ResolvedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/** Validates the URL and resolves it to one address that passes the policy, or throws WebhookUrlRejected. */
export async function resolveTarget(
  raw: string,
  policy: OutboundPolicy,
  resolve: (host: string) => Promise<Array<{ address: string; family: number }>> = (host) =>
    lookup(host, { all: true, verbatim: true }),
): Promise<ResolvedTarget> {
  const checked = prefixed(() => checkWebhookUrl(raw, policy));
  const addresses = isIP(checked.host)
    ? [{ address: checked.host, family: isIP(checked.host) }]
    : await resolve(checked.host);
  // Every address must pass: a name with one public and one private address is refused outright.
  if (addresses.length === 0) throw new WebhookUrlRejected('the webhook host did not resolve');
  for (const a of addresses)
    prefixed(() => checkAddress(a.address, checked), 'the webhook host resolves to an address that');
  const first = addresses[0]!;
  return { url: checked.url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** Runs a policy check; a rejection's reason reads after `subject` in the delivery's error. */
function prefixed<T>(check: () => T, subject = 'the webhook URL'): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof WebhookUrlRejected) throw new WebhookUrlRejected(`${subject} ${err.message}`);
    throw err;
  }
}
