import { startRedisServer, type RedisServer } from '@dreamqueue/testing';
import { assertRedisFit, createRedisConnection, waitForReady } from './index';

describe('redis connections (real redis-server)', () => {
  let server: RedisServer;
  afterEach(async () => server?.stop());

  it('accepts a noeviction Redis and reports its version', async () => {
    server = await startRedisServer();
    const redis = createRedisConnection({ url: server.url, role: 'worker' });
    await waitForReady(redis);
    await expect(assertRedisFit(redis)).resolves.toMatchObject({ maxmemoryPolicy: 'noeviction' });
    redis.disconnect();
  });

  it('refuses a Redis that may evict keys', async () => {
    server = await startRedisServer({ maxmemoryPolicy: 'allkeys-lru' });
    const redis = createRedisConnection({ url: server.url, role: 'worker' });
    await waitForReady(redis);
    await expect(assertRedisFit(redis)).rejects.toMatchObject({ code: 'redis_eviction_policy' });
    redis.disconnect();
  });

  it('fails a producer command at once while Redis is down', async () => {
    server = await startRedisServer();
    const redis = createRedisConnection({ url: server.url, role: 'producer' });
    redis.on('error', () => undefined);
    await waitForReady(redis);
    await server.kill();
    await new Promise((r) => redis.once('close', r));
    await expect(redis.set('k', 'v')).rejects.toThrow(/offline queue|Stream isn't writeable|Connection is closed/);
    redis.disconnect();
  });
});
