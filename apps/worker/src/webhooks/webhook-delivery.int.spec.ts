import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { once } from 'node:events';
import { Worker } from 'bullmq';
import { createQueue, webhookQueue, type TypedQueue } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { EventLog, WebhookDeliveries, WebhookSecrets, WebhookTargets } from '@dreamqueue/records';
import { eventually, startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { loadWorkerConfig } from '../config';
import { StreamConsumer } from '../indexing/stream-consumer';
import { createWebhookDispatcher } from './webhook-dispatcher';
import { createWebhookProcessor } from './webhook.processor';
import { verifyWebhook } from './webhook-signature';

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** Local receivers, each allow-listed by its own host:port as it starts (nothing else on this machine is). */
const allowHosts: string[] = [];

/** A receiver that answers 500 to the first `failures` requests, then `finally` (200 by default). */
async function startReceiver(failures: number, answer = 200, location?: string) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const answered = received.length < failures ? 500 : answer;
      received.push({ at: Date.now(), headers: req.headers, body, answered });
      res.writeHead(answered, location ? { location } : {}).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  allowHosts.push(`127.0.0.1:${port}`);
  return {
    received,
    url: `http://127.0.0.1:${port}/hooks/dq`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * Deliveries retry on the real backoff (1 s, 2 s, 4 s…: about 7 s to the 4th attempt). Waits allow 60 s so a
 * busy CI machine (other suites running in parallel) cannot turn scheduling delays into a failure.
 */
const until = <T>(probe: () => T | undefined | Promise<T | undefined>, what?: string) =>
  eventually(probe, 60_000, what);
// Each test's limit: a wait above may take its whole 60 s and still fail saying what it waited for.
jest.setTimeout(90_000);

describe('webhook delivery from the durable event stream (real Redis, real BullMQ, real HTTP)', () => {
  const config = loadWorkerConfig({});
  let fx: RedisFixture;
  let queue: TypedQueue<typeof webhookQueue>;
  let worker: Worker;
  let dispatcher: StreamConsumer;
  let events: EventLog;
  let targets: WebhookTargets;
  let secrets: WebhookSecrets;
  let deliveries: WebhookDeliveries;
  let dispatch: ReturnType<typeof createWebhookDispatcher>;
  const logger = createLogger({ name: 'webhook-test', level: 'silent' });

  beforeAll(async () => {
    fx = await startRedisFixture();
    const keySpace = fx.keySpace();
    const connection = { url: fx.server.url, maxRetriesPerRequest: null };
    queue = createQueue(webhookQueue, { connection, prefix: keySpace.queuePrefix });
    events = new EventLog(fx.redis, keySpace);
    targets = new WebhookTargets(fx.redis, keySpace);
    secrets = new WebhookSecrets(fx.redis, keySpace);
    deliveries = new WebhookDeliveries(fx.redis, keySpace);
    const process = createWebhookProcessor({
      logger,
      targets,
      secrets,
      deliveries,
      policy: { allowHttp: true, allowHosts },
    });
    worker = new Worker(webhookQueue.name, process as never, {
      connection,
      prefix: keySpace.queuePrefix,
      concurrency: 4,
    });
    // The configured backoff (WEBHOOK_BACKOFF default, 1 s doubling), so the figures below are the real ones.
    dispatch = createWebhookDispatcher({ targets, deliveries, queue, backoffMs: config.WEBHOOK_BACKOFF });
    dispatcher = new StreamConsumer({
      redis: fx.redis.duplicate(),
      stream: events.globalStreamKey(),
      group: 'webhooks',
      startAt: '$',
      logger,
      handle: dispatch,
      blockMs: 200,
    });
    dispatcher.start();
    await until(
      async () =>
        ((await fx.redis.xinfo('GROUPS', events.globalStreamKey()).catch(() => [])) as unknown[]).length > 0 ||
        undefined,
    );
  });

  afterAll(async () => {
    await dispatcher.stop();
    await worker.close();
    await queue.close();
    await fx.close();
  });

  it('delivers a signed event once to a receiver that fails 3 times, and a replayed event adds nothing', async () => {
    const receiver = await startReceiver(3);
    try {
      await targets.setTenantDefault('acme', receiver.url);
      const secret = (await secrets.ensure('acme'))!;
      const appendedAt = Date.now();
      const eventId = (await events.append('acme', {
        type: 'generation.succeeded',
        resource: 'generation',
        resourceId: 'gen_abc',
        status: 'succeeded',
        data: { images: 4 },
      }))!;
      // Not terminal: never delivered.
      await events.append('acme', {
        type: 'batch.progress',
        resource: 'batch',
        resourceId: 'bat_abc',
        status: 'running',
      });

      const delivered = await until(() => receiver.received.find((r) => r.answered === 200)).catch(async (err) => {
        // Say how far delivery got: the receiver's answers and the delivery job's own state.
        const job = await queue.getJob(eventId);
        const state = job
          ? `${await job.getState()} after ${job.attemptsMade} attempts (${job.failedReason})`
          : 'absent';
        throw new Error(
          `${(err as Error).message}: answered [${receiver.received.map((r) => r.answered)}], job ${state}`,
        );
      });
      const job = await until(async () =>
        (await queue.getJob(eventId))?.finishedOn ? queue.getJob(eventId) : undefined,
      );
      // Replays: the same stream entry handed to the dispatcher again (at-least-once consumption).
      await dispatch({ ...(await events.readAfter('acme'))[0]!, id: eventId });
      await dispatch({ ...(await events.readAfter('acme'))[0]!, id: eventId });

      expect(receiver.received.map((r) => r.answered)).toEqual([500, 500, 500, 200]);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([eventId]));
      expect(verifyWebhook([secret], delivered.headers, delivered.body)).toEqual({ ok: true });
      expect(JSON.parse(delivered.body)).toMatchObject({
        type: 'generation.succeeded',
        data: { id: 'gen_abc', resource: 'generation', status: 'succeeded', images: 4 },
      });
      expect(job?.returnvalue).toEqual({ status: 200, attempts: 4 });
      expect(await deliveries.get(eventId)).toMatchObject({ state: 'delivered', attempts: 4, lastStatus: 200 });
      expect(await queue.getJobCounts('wait', 'delayed', 'active', 'completed')).toEqual({
        wait: 0,
        delayed: 0,
        active: 0,
        completed: 1,
      });

      const gaps = receiver.received.slice(1).map((r, i) => r.at - receiver.received[i]!.at);
      const distinctSuccessfulIds = new Set(
        receiver.received.filter((r) => r.answered === 200).map((r) => r.headers['webhook-id']),
      ).size;
      console.log(
        `webhook figures: attempts=${receiver.received.length}, backoff=${config.WEBHOOK_BACKOFF} ms doubling, ` +
          `gaps=${gaps.join('/')} ms, time to success=${delivered.at - appendedAt} ms, deliveries after dedup=${distinctSuccessfulIds}, duplicates=0`,
      );
    } finally {
      await receiver.close();
    }
  });

  it('marks a delivery dead after its last attempt and does not follow a redirect', async () => {
    const receiver = await startReceiver(0, 302, 'http://169.254.169.254/latest/meta-data/');
    try {
      await targets.setForResource('acme', 'mdl_dead', receiver.url);
      const eventId = (await events.append('acme', {
        type: 'model.failed',
        resource: 'model',
        resourceId: 'mdl_dead',
        status: 'failed',
      }))!;
      // Wait for the dispatcher's job, then retry the same delivery as a 2-attempt job: the dead-letter path,
      // not the 8-attempt backoff, is under test here.
      await until(() => queue.getJob(eventId));
      await until(async () => (receiver.received.length >= 1 ? true : undefined));
      // BullMQ refuses to remove a job while a worker holds its lock: try again until it is between attempts.
      await until(async () => {
        const job = await queue.getJob(eventId);
        if (!job) return true;
        await job.remove().catch(() => undefined);
        return undefined;
      });
      await queue.add(
        webhookQueue.name,
        { tenantId: 'acme', eventId },
        { jobId: eventId, attempts: 2, backoff: { type: 'fixed', delay: 50 } },
      );
      await until(async () => ((await queue.getJob(eventId))?.finishedOn ? true : undefined));
      expect(await (await queue.getJob(eventId))!.getState()).toBe('failed');
      expect(receiver.received.every((r) => r.answered === 302)).toBe(true);
      expect((await deliveries.listDead()).map((d) => d.eventId)).toContain(eventId);
      expect(await deliveries.get(eventId)).toMatchObject({
        state: 'dead',
        lastStatus: 302,
        lastError: 'receiver answered 302',
      });
    } finally {
      await receiver.close();
    }
  });

  it('never signs with a secret the tenant did not see: without one the delivery is dead and nothing is sent', async () => {
    const receiver = await startReceiver(0);
    try {
      await targets.setForResource('unsigned', 'gen_unsigned', receiver.url);
      const eventId = (await events.append('unsigned', {
        type: 'generation.succeeded',
        resource: 'generation',
        resourceId: 'gen_unsigned',
        status: 'succeeded',
      }))!;
      await until(() => queue.getJob(eventId), 'the dispatcher to enqueue the delivery');
      const dead = await until(async () => {
        const d = await deliveries.get(eventId);
        return d?.state === 'dead' ? d : undefined;
      }, 'the delivery to be dead');
      expect(dead).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/signing secret/) });
      expect(receiver.received).toEqual([]);
      expect(await secrets.active('unsigned')).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('refuses a target that is not on the allow-list without sending anything', async () => {
    await targets.setForResource('acme', 'gen_private', 'http://10.0.0.1/hook');
    const eventId = (await events.append('acme', {
      type: 'generation.failed',
      resource: 'generation',
      resourceId: 'gen_private',
      status: 'failed',
    }))!;
    const dead = await until(async () => {
      const d = await deliveries.get(eventId);
      return d?.state === 'dead' ? d : undefined;
    });
    expect(dead).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/private/) });
    expect(await (await queue.getJob(eventId))!.getState()).toBe('failed');
  });
});
