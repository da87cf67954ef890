import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { EventLog } from './event-log';
import { guardedUpdate } from './guarded-update';

describe('EventLog (real Redis)', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  it('appends per tenant and reads strictly after an id', async () => {
    const log = new EventLog(fx.redis, fx.keySpace());
    const first = await log.append('acme', {
      type: 'model.queued',
      resource: 'model',
      resourceId: 'mdl_a',
      status: 'queued',
    });
    await log.append('acme', { type: 'model.ready', resource: 'model', resourceId: 'mdl_a', status: 'ready' });
    await log.append('other', { type: 'model.ready', resource: 'model', resourceId: 'mdl_b', status: 'ready' });

    const all = await log.readAfter('acme');
    expect(all.map((e) => e.status)).toEqual(['queued', 'ready']);
    expect((await log.readAfter('acme', first!)).map((e) => e.status)).toEqual(['ready']);
    expect(all.every((e) => e.tenantId === 'acme')).toBe(true);
    expect(await fx.redis.xlen(log.globalStreamKey())).toBe(3);
  });

  it('commits with the status change inside the script that makes it, and not when the change is refused', async () => {
    const keySpace = fx.keySpace();
    const log = new EventLog(fx.redis, keySpace);
    const key = keySpace.key('generation', 'acme', 'gen_a');
    await fx.redis.hset(key, 'status', 'running');
    const index = { key: keySpace.key('active'), member: 'acme:gen_a', op: 'rem' as const, score: 0 };
    const ready = {
      type: 'generation.succeeded',
      resource: 'generation' as const,
      resourceId: 'gen_a',
      status: 'succeeded',
    };
    const guard = { field: 'status', mode: 'in' as const, values: ['running'] };
    const applied = await guardedUpdate(
      fx.redis,
      key,
      guard,
      { status: 'succeeded' },
      log.scriptArgs('acme', ready),
      index,
    );
    const refused = await guardedUpdate(
      fx.redis,
      key,
      guard,
      { status: 'failed' },
      log.scriptArgs('acme', ready),
      index,
    );
    expect([applied.applied, refused.applied]).toEqual([true, false]);
    const events = await log.readAfter('acme');
    expect(events.map((e) => [e.type, e.tenantId, e.resourceId])).toEqual([['generation.succeeded', 'acme', 'gen_a']]);
    expect(await fx.redis.xlen(log.globalStreamKey())).toBe(1);
  });
});
