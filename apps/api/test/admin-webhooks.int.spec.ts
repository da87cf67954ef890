import request from 'supertest';
import { EventLog, WebhookDeliveries, WebhookSecrets, WebhookTargets } from '@dreamqueue/records';
import { startOperationsHarness, type OperationsHarness } from './admin-harness';

describe('webhook settings and operator redelivery', () => {
  let h: OperationsHarness;
  let tenantKey: string;
  beforeAll(async () => {
    h = await startOperationsHarness();
    tenantKey = await h.keyFor('acme');
  });
  afterAll(async () => h.close());

  it('sets a tenant default URL, shows the signing secret once, and rotates it keeping the previous one active', async () => {
    const auth = { authorization: `Bearer ${tenantKey}` };
    const first = await request(h.app)
      .put('/v1/webhooks/default')
      .set(auth)
      .send({ url: 'https://hooks.example.com/dq' })
      .expect(200);
    expect(first.body).toEqual({ url: 'https://hooks.example.com/dq', secret: expect.stringMatching(/^whsec_/) });
    const again = await request(h.app)
      .put('/v1/webhooks/default')
      .set(auth)
      .send({ url: 'https://hooks.example.com/dq2' })
      .expect(200);
    expect(again.body).toEqual({ url: 'https://hooks.example.com/dq2' });
    expect(await new WebhookTargets(h.redis, h.keySpace).resolve('acme', 'gen_any')).toBe(
      'https://hooks.example.com/dq2',
    );

    const rotated = await request(h.app).post('/v1/webhooks/secrets/rotate').set(auth).expect(201);
    expect(rotated.body).toEqual({ secret: expect.stringMatching(/^whsec_/), previousValidUntil: expect.any(String) });
    expect(await new WebhookSecrets(h.redis, h.keySpace).active('acme')).toEqual([
      rotated.body.secret,
      first.body.secret,
    ]);

    await request(h.app).delete('/v1/webhooks/default').set(auth).expect(204);
    expect(await new WebhookTargets(h.redis, h.keySpace).resolve('acme', 'gen_any')).toBeUndefined();
  });

  it('refuses http, credentials and non-URLs with 400 invalid_webhook_url', async () => {
    const auth = { authorization: `Bearer ${tenantKey}` };
    for (const url of [
      'http://hooks.example.com/x',
      'https://user:pw@hooks.example.com/x',
      'not a url',
      'file:///etc/passwd',
    ]) {
      const res = await request(h.app).put('/v1/webhooks/default').set(auth).send({ url }).expect(400);
      expect(res.body.error.code).toBe('invalid_webhook_url');
    }
    await request(h.app)
      .put('/v1/webhooks/default')
      .set(auth)
      .send({ url: 'https://x.example.com', extra: 1 })
      .expect(400);
  });

  it('redelivers a dead delivery (admin only), reusing the event id as the job id', async () => {
    const log = new EventLog(h.redis, h.keySpace);
    await log.append('acme', { type: 'model.ready', resource: 'model', resourceId: 'mdl_r', status: 'ready' });
    const [[eventId, fields]] = await h.redis.xrevrange(log.globalStreamKey(), '+', '-', 'COUNT', 1);
    const deliveries = new WebhookDeliveries(h.redis, h.keySpace);
    await deliveries.create({ ...JSON.parse(fields[1]!), id: eventId });
    await deliveries.recordAttempt(eventId, 'dead', { status: 500, error: 'receiver answered 500' });
    const webhooks = h.queues.find((q) => q.name === 'webhooks')!;
    const operator = { authorization: `Bearer ${await h.keyFor('ops', 'operator')}` };
    const admin = { authorization: `Bearer ${await h.keyFor('ops', 'admin')}` };

    const dead = await request(h.app).get('/v1/admin/webhooks/dead').set(operator).expect(200);
    expect(dead.body.data).toEqual([
      expect.objectContaining({ eventId, state: 'dead', lastStatus: 500, tenantId: 'acme' }),
    ]);
    await request(h.app).post(`/v1/admin/webhooks/${eventId}/redeliver`).set(operator).expect(403);
    await request(h.app).post('/v1/admin/webhooks/1-0/redeliver').set(admin).expect(404);

    await request(h.app)
      .post(`/v1/admin/webhooks/${eventId}/redeliver`)
      .set(admin)
      .expect(202, { eventId, state: 'pending' });
    const job = await webhooks.getJob(eventId);
    expect(job?.data).toEqual({ tenantId: 'acme', eventId });
    expect(await job?.getState()).toBe('waiting');
    expect((await deliveries.get(eventId))?.state).toBe('pending');
    const busy = await request(h.app).post(`/v1/admin/webhooks/${eventId}/redeliver`).set(admin).expect(409);
    expect(busy.body.error.code).toBe('webhook_delivery_in_progress');
  });
});
