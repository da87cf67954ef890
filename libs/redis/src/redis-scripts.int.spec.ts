import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { pipelineWithScripts, queueScript, runScript, SCRIPT_DIR, scriptDefinitions } from './redis-scripts';

describe('Redis scripts (real Redis)', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  it('loads every file in scripts/, named <name>-<numberOfKeys>.lua, and each compiles', async () => {
    const files = readdirSync(SCRIPT_DIR).filter((f) => f.endsWith('.lua'));
    const scripts = [...scriptDefinitions().values()];
    expect(scripts.map((s) => `${s.name}.lua`)).toEqual(files.sort());
    for (const script of scripts) {
      expect(script.name.endsWith(`-${script.numberOfKeys}`)).toBe(true);
      expect(script.lua).not.toMatch(/@include/);
      await expect(fx.redis.script('LOAD', script.lua)).resolves.toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('resolves includes: the event append has one text, shared by every script that appends', () => {
    const appending = [...scriptDefinitions().values()].filter((s) => s.lua.includes('XADD'));
    expect(appending.map((s) => s.name)).toEqual(
      expect.arrayContaining(['append-event-2', 'guarded-update-5', 'create-record-4', 'compare-and-set-model-5']),
    );
    for (const script of appending) expect(script.lua).toContain('local function appendEvent(');
  });

  it('runs by digest after the first use and recovers when the server forgot its scripts', async () => {
    const key = fx.keySpace().key('secrets');
    expect(await runScript<number>(fx.redis, 'create-webhook-secret-1', [key], ['a'])).toBe(1);
    const lua = scriptDefinitions().get('create-webhook-secret-1')!.lua;
    const sha = createHash('sha1').update(lua).digest('hex');
    expect(await fx.redis.script('EXISTS', sha)).toEqual([1]);
    await fx.redis.script('FLUSH');
    expect(await runScript<number>(fx.redis, 'create-webhook-secret-1', [key], ['b'])).toBe(0);
    expect(await fx.redis.lrange(key, 0, -1)).toEqual(['a']);
  });

  it('queues scripts on a pipeline', async () => {
    const key = fx.keySpace().key('pending');
    await fx.redis.hset(key, 'm1', '3', 'm2', '5');
    const pipeline = pipelineWithScripts(fx.redis);
    queueScript(pipeline, 'reset-unchanged-counters-1', [key], ['m1', '3']);
    queueScript(pipeline, 'reset-unchanged-counters-1', [key], ['m2', '4']);
    expect(await pipeline.exec()).toEqual([
      [null, 1],
      [null, 0],
    ]);
    expect(await fx.redis.hgetall(key)).toEqual({ m2: '5' });
  });

  it('refuses an unknown script and a wrong number of keys before sending anything', async () => {
    await expect(runScript(fx.redis, 'no-such-script-1', ['k'], [])).rejects.toThrow('No Redis script');
    await expect(runScript(fx.redis, 'reset-unchanged-counters-1', ['a', 'b'], [])).rejects.toThrow(
      'takes 1 keys, got 2',
    );
  });

  it('passes script errors through', async () => {
    const key = fx.keySpace().key('not-a-hash');
    await fx.redis.set(key, 'x');
    await expect(runScript(fx.redis, 'reset-unchanged-counters-1', [key], ['f', 'v'])).rejects.toThrow('WRONGTYPE');
  });
});
