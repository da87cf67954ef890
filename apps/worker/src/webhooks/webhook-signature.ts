import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the receiver recomputes
 * `base64(HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<raw body>"))` and compares it, in
 * constant time, with one of the space-separated `v1,<signature>` entries of `webhook-signature`.
 * During a secret rotation both active secrets sign, so either secret verifies.
 */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** `whsec_<base64>` → the key bytes. */
function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

function sign(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/** The `webhook-signature` header value: one `v1,<base64>` per active secret, space-separated. */
export function signWebhook(secrets: string[], id: string, timestamp: number, body: string | Buffer): string {
  return secrets.map((secret) => `v1,${sign(secret, id, timestamp, body)}`).join(' ');
}

export type WebhookVerification =
  { ok: true } | { ok: false; reason: 'missing_headers' | 'timestamp_out_of_tolerance' | 'no_matching_signature' };

/**
 * Verifies a delivery as a receiver would: against the raw body bytes (not re-serialized JSON), within
 * `toleranceSeconds` of now (replay protection), accepting any of the receiver's active secrets.
 */
export function verifyWebhook(
  secrets: string[],
  headers: Record<string, string | string[] | undefined>,
  rawBody: string | Buffer,
  toleranceSeconds = 300,
  now = Date.now(),
): WebhookVerification {
  const header = (name: string) => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = header(WEBHOOK_HEADERS.id);
  const timestamp = Number(header(WEBHOOK_HEADERS.timestamp));
  const signatures = header(WEBHOOK_HEADERS.signature);
  if (!id || !Number.isInteger(timestamp) || !signatures) return { ok: false, reason: 'missing_headers' };
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'timestamp_out_of_tolerance' };

  const presented = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret, id, timestamp, rawBody), 'base64');
    if (presented.some((p) => p.length === expected.length && timingSafeEqual(p, expected))) return { ok: true };
  }
  return { ok: false, reason: 'no_matching_signature' };
}
