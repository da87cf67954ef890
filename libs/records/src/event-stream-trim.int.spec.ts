import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { EventLog } from './event-log';
import { trimAcknowledged } from './event-stream-trim';

/** The deployment-wide event stream's retention against a real Redis and real consumer groups. */
describe('global event stream retention', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  const event = (i: number) => ({
    type: 'generation.succeeded',
    resource: 'generation' as const,
    resourceId: `gen_${i}`,
    status: 'succeeded',
  });
  const readAndAck = async (stream: string, group: string, count: number, ack = true) => {
    const reply = (await fx.redis.xreadgroup('GROUP', group, 'c1', 'COUNT', count, 'STREAMS', stream, '>')) as
      [string, [string, string[]][]][] | null;
    const ids = (reply?.[0]?.[1] ?? []).map(([id]) => id);
    if (ack && ids.length > 0) await fx.redis.xack(stream, group, ...ids);
    return ids;
  };

  it('keeps every event a consumer group has not read while the stream grows past its length', async () => {
    const log = new EventLog(fx.redis, fx.keySpace('behind'), { maxLen: 10 });
    const stream = log.globalStreamKey();
    await fx.redis.xgroup('CREATE', stream, 'webhooks', '$', 'MKSTREAM');
    for (let i = 0; i < 1_000; i++) await log.append('acme', event(i));
    // The group has read nothing: all 1 000 stay, both when appending and when trimming.
    expect(await fx.redis.xlen(stream)).toBe(1_000);
    expect(await trimAcknowledged(fx.redis, stream, log.globalMaxLength)).toEqual({
      removed: 0,
      length: 1_000,
      heldBy: 'webhooks',
    });
    const delivered = await readAndAck(stream, 'webhooks', 1_000);
    expect(delivered).toHaveLength(1_000);
  });

  it('trims behind the slowest group: its oldest pending entry, or what it has not been delivered', async () => {
    const log = new EventLog(fx.redis, fx.keySpace('two-groups'), { maxLen: 10 });
    const stream = log.globalStreamKey();
    await fx.redis.xgroup('CREATE', stream, 'fast', '$', 'MKSTREAM');
    await fx.redis.xgroup('CREATE', stream, 'slow', '$');
    for (let i = 0; i < 500; i++) await log.append('acme', event(i));
    await readAndAck(stream, 'fast', 500);
    const slowAcked = await readAndAck(stream, 'slow', 300);
    const slowPending = await readAndAck(stream, 'slow', 50, false);

    const held = await trimAcknowledged(fx.redis, stream, log.globalMaxLength);
    expect(held).toEqual({ removed: 300, length: 200, heldBy: 'slow' });
    const [oldest] = (await fx.redis.xrange(stream, '-', '+', 'COUNT', 1))[0]!;
    expect(oldest).toBe(slowPending[0]);
    expect(slowAcked).toHaveLength(300);

    await fx.redis.xack(stream, 'slow', ...slowPending);
    await readAndAck(stream, 'slow', 150);
    expect(await trimAcknowledged(fx.redis, stream, log.globalMaxLength)).toEqual({
      removed: 100,
      length: 100,
      heldBy: '',
    });
  });

  it('removes at most the given number of entries per call', async () => {
    const log = new EventLog(fx.redis, fx.keySpace('bounded'), { maxLen: 1 });
    const stream = log.globalStreamKey();
    for (let i = 0; i < 100; i++) await log.append('acme', event(i));
    expect(await trimAcknowledged(fx.redis, stream, 10, 30)).toEqual({ removed: 30, length: 70, heldBy: '' });
    expect(await trimAcknowledged(fx.redis, stream, 10, 1_000)).toEqual({ removed: 60, length: 10, heldBy: '' });
  });
});
