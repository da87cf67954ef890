import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { EventLog } from './event-log';

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

  it('commits inside a MULTI with the status change', async () => {
    const keySpace = fx.keySpace();
    const log = new EventLog(fx.redis, keySpace);
    const multi = fx.redis.multi().hset(keySpace.key('model', 'acme', 'mdl_a'), 'status', 'ready');
    log.append('acme', { type: 'model.ready', resource: 'model', resourceId: 'mdl_a', status: 'ready' }, multi);
    await multi.exec();
    expect(await log.readAfter('acme')).toHaveLength(1);
  });
});
