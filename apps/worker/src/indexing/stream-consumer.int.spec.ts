import { createLogger } from '@dreamqueue/logger';
import { EventLog, type StoredEvent } from '@dreamqueue/records';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { StreamConsumer } from './stream-consumer';

/** Taking over a dead consumer's pending events, against a real Redis consumer group. */
describe('StreamConsumer takeover', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  /** `count` events read by consumer `dead` and never acknowledged (it crashed). */
  const abandoned = async (label: string, count: number) => {
    const log = new EventLog(fx.redis, fx.keySpace(label));
    const stream = log.globalStreamKey();
    await fx.redis.xgroup('CREATE', stream, 'webhooks', '$', 'MKSTREAM');
    for (let i = 0; i < count; i++)
      await log.append('acme', {
        type: 'generation.succeeded',
        resource: 'generation',
        resourceId: `gen_${i}`,
        status: 'succeeded',
      });
    await fx.redis.xreadgroup('GROUP', 'webhooks', 'dead', 'COUNT', count, 'STREAMS', stream, '>');
    return stream;
  };
  const consumer = (stream: string, handled: StoredEvent[], lost: string[] = []) =>
    new StreamConsumer({
      redis: fx.redis.duplicate(),
      stream,
      group: 'webhooks',
      startAt: '$',
      consumer: 'alive',
      claimIdleMs: 0,
      logger: createLogger({ name: 'stream-consumer-test', level: 'silent' }),
      handle: async (event) => void handled.push(event),
      onLost: (ids) => lost.push(...ids),
    });

  it('takes over every pending entry of a dead consumer in one pass, past the first page', async () => {
    const stream = await abandoned('cursor', 250);
    const handled: StoredEvent[] = [];
    const c = consumer(stream, handled);
    try {
      const pass = await c.claimAbandoned();
      expect(pass).toEqual({ handled: 250, lost: [], failed: false });
      expect(new Set(handled.map((e) => e.resourceId)).size).toBe(250);
      expect(await fx.redis.xpending(stream, 'webhooks')).toEqual([0, null, null, null]);
    } finally {
      await c.stop();
    }
  });

  it('reports pending entries that are gone from the stream instead of skipping them silently', async () => {
    const stream = await abandoned('lost', 5);
    const ids = (await fx.redis.xrange(stream, '-', '+')).map(([id]) => id);
    await fx.redis.xdel(stream, ids[1]!, ids[3]!);
    const handled: StoredEvent[] = [];
    const lost: string[] = [];
    const c = consumer(stream, handled, lost);
    try {
      const pass = await c.claimAbandoned();
      expect(pass.handled).toBe(3);
      expect(pass.lost.sort()).toEqual([ids[1], ids[3]].sort());
      expect(lost.sort()).toEqual([ids[1], ids[3]].sort());
      expect(await fx.redis.xpending(stream, 'webhooks')).toEqual([0, null, null, null]);
    } finally {
      await c.stop();
    }
  });
});
