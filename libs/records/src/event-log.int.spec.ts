import { createKeySpace, createRedisConnection, waitForReady, type Redis } from '@dreamqueue/redis';
import { startRedisServer, uniquePrefix, type RedisServer } from '@dreamqueue/testing';
import { EventLog } from './event-log';

describe('EventLog (real Redis)', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    redis = createRedisConnection({ url: server.url, role: 'worker' });
    await waitForReady(redis);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('appends per tenant and reads strictly after an id', async () => {
    const log = new EventLog(redis, createKeySpace(uniquePrefix()));
    const first = await log.append('acme', { type: 'model.queued', resource: 'model', resourceId: 'mdl_a', status: 'queued' });
    await log.append('acme', { type: 'model.ready', resource: 'model', resourceId: 'mdl_a', status: 'ready' });
    await log.append('other', { type: 'model.ready', resource: 'model', resourceId: 'mdl_b', status: 'ready' });

    const all = await log.readAfter('acme');
    expect(all.map((e) => e.status)).toEqual(['queued', 'ready']);
    expect((await log.readAfter('acme', first!)).map((e) => e.status)).toEqual(['ready']);
    expect(all.every((e) => e.tenantId === 'acme')).toBe(true);
    expect(await redis.xlen(log.globalStreamKey())).toBe(3);
  });

  it('commits inside a MULTI with the status change', async () => {
    const keySpace = createKeySpace(uniquePrefix());
    const log = new EventLog(redis, keySpace);
    const multi = redis.multi().hset(keySpace.key('model', 'acme', 'mdl_a'), 'status', 'ready');
    log.append('acme', { type: 'model.ready', resource: 'model', resourceId: 'mdl_a', status: 'ready' }, multi);
    await multi.exec();
    expect(await log.readAfter('acme')).toHaveLength(1);
  });
});
