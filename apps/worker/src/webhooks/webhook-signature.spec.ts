import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

describe('the verification snippet in docs/operations.md', () => {
  it('verifies a real signature and rejects a tampered body', () => {
    const doc = readFileSync(join(__dirname, '../../../../docs/operations.md'), 'utf8');
    const snippet = /```js\n([\s\S]*?)\n\/\/ Express/.exec(doc)?.[1];
    expect(snippet).toContain('function verifyWebhook');
    const docVerify = new Function('require', `${snippet}\nreturn verifyWebhook;`)(require) as (
      s: string[],
      h: object,
      b: string | Buffer,
    ) => boolean;

    const secret = generateWebhookSecret();
    const rotated = generateWebhookSecret();
    const body = '{"type":"model.ready","data":{"id":"mdl_x"}}';
    const ts = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': '9-0',
      'webhook-timestamp': String(ts),
      'webhook-signature': signWebhook([rotated, secret], '9-0', ts, body),
    };
    expect(docVerify([secret], headers, Buffer.from(body))).toBe(true);
    expect(docVerify([rotated], headers, body)).toBe(true);
    expect(docVerify([secret], headers, body.replace('mdl_x', 'mdl_y'))).toBe(false);
  });
});
