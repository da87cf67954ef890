import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { LuaScript } from './lua-script';

describe('LuaScript (real Redis)', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  const incrBy = new LuaScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`);

  it('loads itself on first use and runs by digest afterwards', async () => {
    const key = fx.keySpace().key('counter');
    await fx.redis.script('FLUSH');
    expect(await incrBy.run(fx.redis, [key], [2])).toBe(2);
    expect(await fx.redis.script('EXISTS', incrBy.sha)).toEqual([1]);
    expect(await incrBy.run(fx.redis, [key], [3])).toBe(5);
  });

  it('recovers when the server forgot its scripts (restart, SCRIPT FLUSH)', async () => {
    const key = fx.keySpace().key('counter');
    await incrBy.run(fx.redis, [key], [1]);
    await fx.redis.script('FLUSH');
    expect(await incrBy.run(fx.redis, [key], [1])).toBe(2);
  });

  it('passes script errors through', async () => {
    const failing = new LuaScript(`return redis.error_reply('boom')`);
    await expect(failing.run(fx.redis, [], [])).rejects.toThrow('boom');
  });
});
