import { isIP } from 'node:net';
import { badRequest } from '@dreamqueue/errors';

export interface WebhookUrlPolicy {
  /**
   * Local development: accept `http://` and loopback/private addresses (`WEBHOOK_ALLOW_HTTP`). The worker
   * still applies its own send-time policy (`WEBHOOK_ALLOW_HOSTS`).
   */
  allowHttp: boolean;
}

const MAX_URL_LENGTH = 2048;

/**
 * First line of SSRF defence at intake, for every webhook URL a tenant gives (per resource or default):
 * https only, no credentials, no IP literals in private ranges. The delivery side resolves DNS and pins the
 * address again at send time (names can resolve anywhere).
 */
export function validateWebhookUrl(raw: string, policy: WebhookUrlPolicy, field = 'webhookUrl'): string {
  let url: URL;
  try {
    if (raw.length > MAX_URL_LENGTH) throw new Error('too long');
    url = new URL(raw);
  } catch {
    throw invalid(`${field} is not a valid URL (at most ${MAX_URL_LENGTH} characters).`);
  }
  if (url.username || url.password) throw invalid(`${field} must not carry credentials.`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Link-local (169.254/16 holds the instance metadata service) is refused even in local development.
  if (isIP(host) && isLinkLocal(host)) throw invalid(`${field} must not point at a link-local address.`);
  if (policy.allowHttp && (url.protocol === 'http:' || url.protocol === 'https:')) return url.toString();
  if (url.protocol !== 'https:') throw invalid(`${field} must use https.`);
  if (host === 'localhost' || (isIP(host) && isPrivateAddress(host))) {
    throw invalid(`${field} must not point at a private or loopback address.`);
  }
  return url.toString();
}

function isLinkLocal(ip: string): boolean {
  return ip.includes(':') ? /^fe[89ab]/i.test(ip) : ip.startsWith('169.254.');
}

function isPrivateAddress(ip: string): boolean {
  if (ip.includes(':')) return /^(::1?$|f[cd]|fe[89ab]|::ffff:)/i.test(ip);
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

const invalid = (message: string) => badRequest('invalid_webhook_url', message);
