import { once } from 'node:events';
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { createQueue, webhookQueue } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { EventLog, WebhookDeliveries, WebhookSecrets, WebhookTargets } from '@dreamqueue/records';
import { eventually, startRedisFixture } from '@dreamqueue/testing';
import { type ProcessorRegistry } from '../processor-registry';
import { closeWorkers, startWorkers } from '../start-workers';
import { createWebhookProcessor } from '../webhooks/webhook.processor';

describe('structured job logs (captured, a real webhook job that fails once)', () => {
  it('scopes every job line with job id, queue and tenant, puts errors under err, and logs no secret or URL signature', async () => {
    const raw: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ name: 'worker-test', level: 'debug', destination: sink });
    const fx = await startRedisFixture();
    const keySpace = fx.keySpace();
    const connection = { url: fx.server.url, maxRetriesPerRequest: null };
    let calls = 0;
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(++calls === 1 ? 500 : 200).end());
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const target = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook?X-Amz-Signature=f00dfacecafe&token=supersecret123`;

    const targets = new WebhookTargets(fx.redis, keySpace);
    const secrets = new WebhookSecrets(fx.redis, keySpace);
    const deliveries = new WebhookDeliveries(fx.redis, keySpace);
    const process = createWebhookProcessor({
      logger,
      targets,
      secrets,
      deliveries,
      policy: { allowHttp: true, allowHosts: [`127.0.0.1:${(receiver.address() as { port: number }).port}`] },
    });
    const noop = async () => ({}) as never;
    const registry: ProcessorRegistry = {
      train: { process: noop },
      generate: { process: noop },
      webhooks: { process },
    };
    const workers = startWorkers({
      registry,
      connection,
      prefix: keySpace.queuePrefix,
      logger,
      lockDuration: 30_000,
      stalledInterval: 30_000,
    });
    const queue = createQueue(webhookQueue, { connection, prefix: keySpace.queuePrefix });
    try {
      await targets.setTenantDefault('acme', target);
      const secret = (await secrets.ensure('acme'))!;
      const log = new EventLog(fx.redis, keySpace);
      await log.append('acme', { type: 'model.ready', resource: 'model', resourceId: 'mdl_logs', status: 'ready' });
      const [[eventId, fields]] = await fx.redis.xrevrange(log.globalStreamKey(), '+', '-', 'COUNT', 1);
      await deliveries.create({ ...JSON.parse(fields[1]!), id: eventId });
      const job = await queue.add(
        webhookQueue.name,
        { tenantId: 'acme', eventId },
        { jobId: eventId, backoff: { type: 'fixed', delay: 20 } },
      );
      await eventually(async () => (await queue.getJob(eventId))?.finishedOn, 10_000, 'the webhook job to finish');
      expect(calls).toBe(2);

      const lines = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
      const jobLines = lines.filter((l) => l.jobId === job.id);
      expect(jobLines.map((l) => l.msg)).toEqual(
        expect.arrayContaining(['webhook attempt failed; will retry', 'job failed', 'webhook delivered']),
      );
      for (const line of jobLines) expect(line).toMatchObject({ queue: 'webhooks', tenantId: 'acme' });
      expect(jobLines.find((l) => l.msg === 'job failed')?.err).toMatchObject({
        message: expect.stringContaining('receiver answered 500'),
      });
      const text = raw.join('\n');
      for (const needle of ['f00dfacecafe', 'supersecret123', secret, secret.slice('whsec_'.length)])
        expect(text.split(needle).length - 1).toBe(0);
    } finally {
      await closeWorkers(workers);
      await queue.close();
      await new Promise<void>((r) => receiver.close(() => r()));
      await fx.close();
    }
  });
});
