import { generateWebhookSecret } from '@dreamqueue/records';
import { signWebhook, verifyWebhook } from './webhook-signature';

describe('webhook signatures (Standard Webhooks)', () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ type: 'generation.succeeded', data: { id: 'gen_abc' } });
  const now = Date.now();
  const ts = Math.floor(now / 1000);
  const headers = (sig: string, timestamp = ts) => ({
    'webhook-id': '1-0',
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sig,
  });

  it('accepts an untouched delivery', () => {
    expect(verifyWebhook([secret], headers(signWebhook([secret], '1-0', ts, body)), body, 300, now)).toEqual({
      ok: true,
    });
  });

  it('rejects a tampered body, a wrong secret and a stale timestamp', () => {
    const sig = signWebhook([secret], '1-0', ts, body);
    expect(verifyWebhook([secret], headers(sig), body.replace('gen_abc', 'gen_xyz'), 300, now)).toEqual({
      ok: false,
      reason: 'no_matching_signature',
    });
    expect(verifyWebhook([generateWebhookSecret()], headers(sig), body, 300, now)).toEqual({
      ok: false,
      reason: 'no_matching_signature',
    });
    const old = ts - 301;
    expect(verifyWebhook([secret], headers(signWebhook([secret], '1-0', old, body), old), body, 300, now)).toEqual({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    expect(verifyWebhook([secret], { 'webhook-id': '1-0' }, body, 300, now)).toEqual({
      ok: false,
      reason: 'missing_headers',
    });
  });

  it('signs with both secrets during a rotation, so either one verifies', () => {
    const rotated = generateWebhookSecret();
    const sig = signWebhook([rotated, secret], '1-0', ts, body);
    expect(sig.split(' ')).toHaveLength(2);
    expect(sig).toMatch(/^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/);
    expect(verifyWebhook([secret], headers(sig), body, 300, now).ok).toBe(true);
    expect(verifyWebhook([rotated], headers(sig), body, 300, now).ok).toBe(true);
  });
});
