import { createLogger } from '@dreamqueue/logger';
import { EventLog, JobIndex, type StoredEvent } from '@dreamqueue/records';
import { eventually, startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { createJobIndexer } from './job-indexer';
import { StreamConsumer } from './stream-consumer';

const logger = createLogger({ name: 'indexer-test', level: 'silent' });

describe('job-search indexer on the deployment-wide event stream (real Redis consumer groups)', () => {
  let fx: RedisFixture;
  let log: EventLog;
  let index: JobIndex;
  const consumers: StreamConsumer[] = [];
  const consume = (handle: (e: StoredEvent) => Promise<void>, consumer: string, claimIdleMs = 60_000) => {
    const c = new StreamConsumer({
      redis: fx.redis.duplicate(),
      stream: log.globalStreamKey(),
      group: 'job-index',
      startAt: '0',
      logger,
      handle,
      consumer,
      blockMs: 100,
      claimIdleMs,
      retryDelayMs: 50,
    });
    consumers.push(c);
    c.start();
    return c;
  };

  beforeEach(async () => {
    fx = await startRedisFixture();
    const keySpace = fx.keySpace();
    log = new EventLog(fx.redis, keySpace);
    index = new JobIndex(fx.redis, keySpace);
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    await fx.close();
  });

  it('indexes events appended before and after it starts, looking up a missing model id once per resource', async () => {
    await log.append('acme', { type: 'model.ready', resource: 'model', resourceId: 'mdl_one', status: 'ready' });
    const lookups: string[] = [];
    consume(
      createJobIndexer({
        index,
        modelOf: async (e) => {
          lookups.push(e.resourceId);
          return 'mdl_one';
        },
      }),
      'w1',
    );
    await log.append('acme', {
      type: 'generation.queued',
      resource: 'generation',
      resourceId: 'gen_one',
      status: 'queued',
    });
    await log.append('acme', {
      type: 'generation.running',
      resource: 'generation',
      resourceId: 'gen_one',
      status: 'running',
    });
    await log.append('acme', {
      type: 'generation.failed',
      resource: 'generation',
      resourceId: 'gen_one',
      status: 'failed',
    });
    await log.append('globex', {
      type: 'batch.queued',
      resource: 'batch',
      resourceId: 'bat_two',
      status: 'queued',
      data: { modelId: 'mdl_two' },
    });

    const failed = await eventually(async () => {
      const page = await index.search({ model: 'mdl_one', status: 'failed' });
      return page.entries.length > 0 ? page.entries : undefined;
    });
    expect(failed.map((e) => e.id)).toEqual(['gen_one']);
    await eventually(async () => ((await index.get('bat_two')) ? true : undefined));
    expect((await index.search({ model: 'mdl_one' })).entries.map((e) => e.id).sort()).toEqual(['gen_one', 'mdl_one']);
    expect((await index.search({ tenant: 'globex' })).entries).toEqual([
      expect.objectContaining({ id: 'bat_two', modelId: 'mdl_two', status: 'queued' }),
    ]);
    expect(lookups).toEqual(['gen_one']);
  });

  it('retries an event whose handling failed and lets another consumer take over a dead consumer’s pending events', async () => {
    // Consumer "crashed": reads events but never acknowledges them.
    const crashed = consume(async () => {
      throw new Error('process died mid-event');
    }, 'crashed');
    await log.append('acme', { type: 'model.queued', resource: 'model', resourceId: 'mdl_a', status: 'queued' });
    await log.append('acme', { type: 'model.ready', resource: 'model', resourceId: 'mdl_a', status: 'ready' });
    await eventually(async () => {
      const pending = (await fx.redis.xpending(log.globalStreamKey(), 'job-index').catch(() => [0])) as [number];
      return pending[0] >= 1 ? true : undefined;
    });
    await crashed.stop();

    let failuresLeft = 1;
    const indexer = createJobIndexer({ index });
    consume(
      async (event) => {
        if (failuresLeft-- > 0) throw new Error('transient Redis error');
        await indexer(event);
      },
      'survivor',
      200,
    );

    const entry = await eventually(async () => {
      const e = await index.get('mdl_a');
      return e?.status === 'ready' ? e : undefined;
    });
    expect(entry).toMatchObject({ kind: 'model', tenantId: 'acme', status: 'ready' });
    await eventually(async () =>
      ((await fx.redis.xpending(log.globalStreamKey(), 'job-index')) as [number])[0] === 0 ? true : undefined,
    );
  });
});
