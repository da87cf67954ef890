import { createQueue, webhookQueue, type TypedQueue } from '@dreamqueue/contracts';
import {
  BatchStore,
  EventLog,
  WebhookDeliveries,
  WebhookTargets,
  finalizeBatch,
  type StoredEvent,
} from '@dreamqueue/records';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { MemoryObjectStore } from '../../test/memory-object-store';
import { createWebhookDispatcher } from './webhook-dispatcher';

describe('a canceled batch ends with exactly one terminal webhook (real Redis, real BullMQ)', () => {
  let fx: RedisFixture;
  let queue: TypedQueue<typeof webhookQueue>;
  let events: EventLog;
  let batches: BatchStore;
  let dispatch: ReturnType<typeof createWebhookDispatcher>;

  beforeAll(async () => {
    fx = await startRedisFixture();
    const keySpace = fx.keySpace();
    queue = createQueue(webhookQueue, { connection: { url: fx.server.url }, prefix: keySpace.queuePrefix });
    events = new EventLog(fx.redis, keySpace);
    batches = new BatchStore(fx.redis, keySpace, events);
    const targets = new WebhookTargets(fx.redis, keySpace);
    await targets.setTenantDefault('acme', 'https://hooks.example.com/dq');
    dispatch = createWebhookDispatcher({ targets, deliveries: new WebhookDeliveries(fx.redis, keySpace), queue });
  });
  afterAll(async () => {
    await queue.close();
    await fx.close();
  });

  it('cancel, then the last items recorded and the manifest written: one webhook, sent at the end, status canceled', async () => {
    const id = 'bat_cancelhook';
    await batches.create({
      id,
      tenantId: 'acme',
      modelId: 'mdl_x',
      targetModel: 'acme-mdl-x-v1.tar.gz',
      artifactEtag: 'e',
      total: 3,
      steps: 20,
      guidance: 7.5,
    });
    await batches.recordItems('acme', id, [{ index: 0, state: 'succeeded', seed: 1 }]);
    expect(await batches.cancel('acme', id)).toBe(true);
    const result = await batches.recordItems('acme', id, [
      { index: 1, state: 'canceled', seed: 2 },
      { index: 2, state: 'canceled', seed: 3 },
    ]);
    expect(result?.finalize).toBe(true);
    await finalizeBatch(
      { batches, objects: new MemoryObjectStore() },
      (await batches.get('acme', id))!,
      result!.counts,
      {
        manifest: `tenants/acme/batches/${id}/manifest.ndjson`,
        image: (i) => `tenants/acme/batches/${id}/images/${i}.jpg`,
      },
    );

    // Every event of the batch goes through the dispatcher, as the `webhooks` consumer group hands them over.
    const all: StoredEvent[] = (await events.readAfter('acme')).filter((e) => e.resourceId === id);
    expect(all.map((e) => e.type)).toEqual(['batch.queued', 'batch.canceled', 'batch.completed']);
    for (const event of all) await dispatch(event);

    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
    const sent = all.filter((e) => jobs.some((j) => j.data.eventId === e.id));
    expect(sent.map((e) => `${e.type}:${e.status}`)).toEqual(['batch.completed:canceled']);
    expect(sent[0]!.data).toMatchObject({ succeeded: 1, canceled: 2, total: 3 });
  });
});
