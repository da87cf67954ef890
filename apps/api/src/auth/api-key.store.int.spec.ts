import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { ApiKeyStore } from './api-key.store';

describe('ApiKeyStore with its authentication cache (real Redis)', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  /** Two API processes on one Redis: `api` remembers keys for 5 s on a clock the test moves; `cli` revokes. */
  async function twoProcesses() {
    const keySpace = fx.keySpace();
    let now = 1_000_000;
    const api = new ApiKeyStore(fx.redis, keySpace, { cacheTtlMs: 5000, now: () => now });
    const cli = new ApiKeyStore(fx.redis, keySpace);
    const { key, record } = await cli.create({ tenantId: 'acme', role: 'tenant', name: 'backend' });
    return { api, cli, keySpace, key, record, advance: (ms: number) => (now += ms) };
  }

  it('refuses a key revoked elsewhere once the TTL since its last read has passed', async () => {
    const { api, cli, key, record, advance } = await twoProcesses();
    expect(await api.authenticate(key)).toEqual({ keyId: record.id, tenantId: 'acme', role: 'tenant' });
    expect(await cli.revoke(record.id)).toBe(true);
    advance(4999);
    expect(await api.authenticate(key)).toMatchObject({ keyId: record.id }); // within the documented bound
    advance(1);
    expect(await api.authenticate(key)).toBeUndefined();
    advance(60_000);
    expect(await api.authenticate(key)).toBeUndefined(); // a refusal is never remembered as a success
  });

  it('answers a remembered key without Redis, and reads Redis again after the TTL', async () => {
    const { api, keySpace, key, record, advance } = await twoProcesses();
    await api.authenticate(key);
    // Remove the key behind the cache's back: only a Redis read can notice.
    await fx.redis.del(...(await fx.redis.keys(`${keySpace.key('apikey')}*`)));
    expect(await api.authenticate(key)).toMatchObject({ keyId: record.id });
    advance(5000);
    expect(await api.authenticate(key)).toBeUndefined();
  });

  it('drops its entry at once when the key is revoked through the same store', async () => {
    const { api, key, record } = await twoProcesses();
    await api.authenticate(key);
    await api.revoke(record.id);
    expect(await api.authenticate(key)).toBeUndefined();
  });

  it('never remembers with a TTL of 0 (the default)', async () => {
    const { cli, keySpace, key, record } = await twoProcesses();
    expect(await cli.authenticate(key)).toMatchObject({ keyId: record.id });
    await new ApiKeyStore(fx.redis, keySpace).revoke(record.id);
    expect(await cli.authenticate(key)).toBeUndefined();
  });
});
