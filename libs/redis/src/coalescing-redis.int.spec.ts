import { startRedisServer, type RedisServer } from '@dreamqueue/testing';
import { createRedisConnection, runScript, waitForReady, type Redis } from './index';

describe('a connection that coalesces the writes of one event-loop turn (real redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeEach(async () => {
    server = await startRedisServer();
    redis = createRedisConnection({ url: server.url, role: 'producer', coalesceWrites: true });
    redis.on('error', () => undefined);
    await waitForReady(redis);
  });
  afterEach(async () => {
    redis.disconnect();
    await server.stop();
  });

  it("holds a turn's commands until the turn ends, then answers each in order", async () => {
    const sets = Array.from({ length: 20 }, (_, i) => redis.set(`k${i}`, String(i)));
    const multi = redis.multi().incr('n').incr('n').exec();
    const script = runScript<string[]>(redis, 'find-api-key-1', ['apikey:none'], ['apikeys:']);
    const reads = Array.from({ length: 20 }, (_, i) => redis.get(`k${i}`));
    // Nothing has left yet: one write will carry them all.
    expect(redis.stream.writableCorked).toBe(1);
    expect(redis.stream.writableLength).toBeGreaterThan(0);
    await expect(Promise.all(sets)).resolves.toEqual(Array(20).fill('OK'));
    await expect(multi).resolves.toEqual([
      [null, 1],
      [null, 2],
    ]);
    await expect(script).resolves.toEqual([]);
    await expect(Promise.all(reads)).resolves.toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(redis.stream.writableCorked).toBe(0);
    // A later turn corks again.
    const later = redis.get('k1');
    expect(redis.stream.writableCorked).toBe(1);
    await expect(later).resolves.toBe('1');
  });

  it('fails a command at once while Redis is down, as any producer connection does', async () => {
    await server.kill();
    await new Promise((r) => redis.once('close', r));
    await expect(redis.set('k', 'v')).rejects.toThrow(/offline queue|Stream isn't writeable|Connection is closed/);
  });
});
