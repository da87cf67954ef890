import { isIP } from 'node:net';
import { badRequest } from '@dreamqueue/errors';

export interface WebhookUrlPolicy {
  /** Accept `http://127.0.0.1:<port>/…` and `http://localhost…` (local development only). */
  allowLoopbackHttp: boolean;
}

/**
 * First line of SSRF defence at intake: https only, no credentials, no IP literals in private ranges. The
 * delivery side resolves DNS and pins the address again at send time (names can resolve anywhere).
 */
export function validateWebhookUrl(raw: string, policy: WebhookUrlPolicy): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('webhookUrl is not a valid URL.');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol === 'http:' && loopback && policy.allowLoopbackHttp) return url.toString();
  if (url.protocol !== 'https:') throw invalid('webhookUrl must use https.');
  if (url.username || url.password) throw invalid('webhookUrl must not carry credentials.');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (loopback || (isIP(host) && isPrivateAddress(host))) throw invalid('webhookUrl must not point at a private or loopback address.');
  return url.toString();
}

function isPrivateAddress(ip: string): boolean {
  if (ip.includes(':')) return /^(::1?$|f[cd]|fe[89ab]|::ffff:)/i.test(ip);
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}

const invalid = (message: string) => badRequest('invalid_webhook_url', message);
