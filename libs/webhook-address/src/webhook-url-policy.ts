import { isIP } from 'node:net';
import { isBlockedAddress, isLinkLocal } from './blocked-addresses';

/**
 * The one webhook address policy: the API applies it when a URL is registered, the worker again at send time
 * to every address DNS returns (names can resolve anywhere).
 */
export interface WebhookAddressPolicy {
  /** Accept `http:` URLs (local development only). */
  allowHttp: boolean;
  /**
   * `host:port` targets exempt from the private-address check (local development only), e.g.
   * `127.0.0.1:4000`: a receiver on this machine, and not every other port here (Redis, the emulator).
   * Link-local addresses are never exempt.
   */
  allowHosts: readonly string[];
}

export class WebhookUrlRejected extends Error {
  override readonly name = 'WebhookUrlRejected';
}

export interface CheckedWebhookUrl {
  url: URL;
  /** The host without IPv6 brackets, lowercase. */
  host: string;
  /** True when the URL's host and port are on the allow-list. */
  allowListed: boolean;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Checks everything the URL itself shows; `reason` texts read after "the webhook URL" or a field name. */
export function checkWebhookUrl(raw: string, policy: WebhookAddressPolicy): CheckedWebhookUrl {
  let url: URL;
  try {
    if (raw.length > MAX_WEBHOOK_URL_LENGTH) throw new Error('too long');
    url = new URL(raw);
  } catch {
    throw new WebhookUrlRejected(`is not a valid URL (at most ${MAX_WEBHOOK_URL_LENGTH} characters)`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw new WebhookUrlRejected(policy.allowHttp ? 'must use http or https' : 'must use https');
  }
  if (url.username || url.password) throw new WebhookUrlRejected('must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const allowListed = policy.allowHosts.some((entry) => sameTarget(entry, url.hostname, port));
  const checked = { url, host, allowListed };
  if (isIP(host)) checkAddress(host, checked);
  else if ((host === 'localhost' || host.endsWith('.localhost')) && !allowListed) {
    throw new WebhookUrlRejected('must not point at a private or loopback address (or another reserved range)');
  }
  return checked;
}

/** Checks one address the URL's host resolved to (the worker, before it connects to that address). */
export function checkAddress(address: string, checked: Pick<CheckedWebhookUrl, 'allowListed'>): void {
  if (isLinkLocal(address)) throw new WebhookUrlRejected('must not point at a link-local address');
  if (!checked.allowListed && isBlockedAddress(address)) {
    throw new WebhookUrlRejected('must not point at a private or loopback address (or another reserved range)');
  }
}

/** How configuration describes a valid allow-list. */
export const ALLOW_HOSTS_FORMAT =
  'each entry must be host:port (e.g. 127.0.0.1:4000): a bare host would open every port on it';

const ALLOW_ENTRY = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** Allow-list entries that are not `host:port` (configuration refuses them: a bare host would open every port). */
export function invalidAllowHosts(entries: readonly string[]): string[] {
  return entries.filter((entry) => {
    const match = ALLOW_ENTRY.exec(entry);
    return !match || Number(match[2]) < 1 || Number(match[2]) > 65535;
  });
}

function sameTarget(entry: string, hostname: string, port: string): boolean {
  const match = ALLOW_ENTRY.exec(entry);
  if (!match || match[2] !== port) return false;
  try {
    return new URL(`http://${match[1]}`).hostname === hostname;
  } catch {
    return false;
  }
}
