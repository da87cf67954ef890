import request from 'supertest';
import { startApiHarness, type ApiHarness } from './api-harness';

describe('API foundation (real Redis)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => h.close());

  it('answers liveness and readiness', async () => {
    await request(h.app).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(h.app).get('/readyz').expect(200);
    expect(ready.body.checks).toEqual([{ name: 'redis', ok: true }]);
  });

  it('echoes a well-formed request id and makes one otherwise', async () => {
    const res = await request(h.app).get('/healthz').set('x-request-id', 'req-12345678');
    expect(res.headers['x-request-id']).toBe('req-12345678');
    const other = await request(h.app).get('/healthz').set('x-request-id', 'bad id!');
    expect(other.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives unknown, malformed and revoked keys the same 401', async () => {
    const key = await h.keyFor('acme');
    const revoked = await h.apiKeys.create({ tenantId: 'acme', role: 'tenant', name: 'r' });
    await request(h.app).get('/v1/x').set('authorization', `Bearer ${revoked.key}`).expect(404);
    expect(await h.apiKeys.revoke(revoked.record.id)).toBe(true);

    const flipped = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
    const bodies = await Promise.all(
      [undefined, 'Bearer nonsense', `Bearer ${flipped}`, `Bearer ${revoked.key}`].map(async (auth) => {
        const req = request(h.app).get('/v1/nothing');
        if (auth) req.set('authorization', auth);
        const res = await req.expect(401);
        return res.text;
      }),
    );
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('lets a valid key through to routing', async () => {
    const key = await h.keyFor('acme');
    const res = await request(h.app).get('/v1/nothing').set('authorization', `Bearer ${key}`).expect(404);
    expect(res.body.error.code).toBe('route_not_found');
  });

  it('keeps the dashboard behind operator credentials', async () => {
    const tenantKey = await h.keyFor('acme');
    const operatorKey = await h.keyFor('ops', 'operator');
    const challenge = await request(h.app).get('/admin/queues').expect(401);
    expect(challenge.headers['www-authenticate']).toMatch(/^Basic/);
    await request(h.app).get('/admin/queues').auth('x', tenantKey).expect(403);
    const page = await request(h.app).get('/admin/queues').auth('x', operatorKey).expect(200);
    expect(page.text).toContain('<title>');
  });

  it('gives operators a read-only board and admins a full one', async () => {
    const operatorKey = await h.keyFor('ops', 'operator');
    const adminKey = await h.keyFor('ops', 'admin');
    const asOperator = await request(h.app)
      .get('/admin/queues/api/queues?activeQueue=train&status=latest&page=1')
      .auth('x', operatorKey)
      .expect(200);
    expect(asOperator.body.queues.map((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toEqual([true, true, true]);
    const asAdmin = await request(h.app)
      .get('/admin/queues/api/queues?activeQueue=train&status=latest&page=1')
      .auth('x', adminKey)
      .expect(200);
    expect(asAdmin.body.queues.map((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toEqual([false, false, false]);
  });

  it('rate-limits repeated authentication failures from one client', async () => {
    let last = 0;
    for (let i = 0; i < 35; i++) last = (await request(h.app).get('/v1/x').set('authorization', 'Bearer wrong')).status;
    expect(last).toBe(429);
  });
});

describe('API while Redis is down (R6: fail fast with 503)', () => {
  it('answers 503 redis_unavailable instead of hanging or 500', async () => {
    const h = await startApiHarness();
    const key = await h.keyFor('acme');
    h.redis.on('error', () => undefined);
    const closed = new Promise((r) => h.redis.once('close', r));
    await h.redisServer.kill();
    await closed;
    const res = await request(h.app).get('/v1/anything').set('authorization', `Bearer ${key}`);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('redis_unavailable');
    expect(res.headers['retry-after']).toBe('5');
    await h.close();
  });
});
