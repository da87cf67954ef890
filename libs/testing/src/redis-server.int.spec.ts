import { Redis } from 'ioredis';
import { eventually } from './eventually';
import { startRedisServer } from './redis-server';
import { uniquePrefix } from './unique';
import { openResources } from './leak-guard';

const client = (url: string) => {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  return redis;
};

describe('startRedisServer', () => {
  it('starts a private noeviction server on a free port and tracks it until stopped', async () => {
    const server = await startRedisServer();
    expect(server.port).not.toBe(6379);
    expect(openResources()).toContain(`redis-server :${server.port}`);
    const redis = client(server.url);
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    redis.disconnect();
    await server.stop();
    expect(openResources()).not.toContain(`redis-server :${server.port}`);
  });

  it('keeps acknowledged writes across a crash when AOF is on', async () => {
    const server = await startRedisServer({ appendonly: true });
    const redis = client(server.url);
    await redis.set('k', 'v');
    // appendfsync everysec: force the fsync a real deployment would do within a second.
    await redis.bgrewriteaof();
    await eventually(
      async () => (await redis.info('persistence')).includes('aof_rewrite_in_progress:0') || undefined,
      5_000,
    );
    redis.disconnect();
    await server.kill();
    const again = await server.restart();
    const reader = client(again.url);
    expect(await reader.get('k')).toBe('v');
    reader.disconnect();
    await again.stop();
  });

  it('gives every call a distinct hash-tag prefix', () => {
    const a = uniquePrefix();
    expect(a).toMatch(/^\{test-[0-9a-f]{8}\}$/);
    expect(uniquePrefix()).not.toBe(a);
  });
});
