import request from 'supertest';
import { hashApiKey } from '../src/auth/api-key';
import { ApiKeyStore } from '../src/auth/api-key.store';
import { loadApiConfig } from '../src/config';
import { operationsApp } from './admin-harness';
import { startApiHarness, type ApiHarness } from './api-harness';

describe('routing and authentication edges (real Redis)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => h.close());

  /** The app as main.ts builds it from `env` (operations routers, metrics first). */
  const appFor = (env: NodeJS.ProcessEnv) => operationsApp(h, env).app;

  it('routes by exact letter case: /ADMIN/queues and /V1/Admin/jobs never reach the operator routes', async () => {
    const app = appFor({});
    const operator = await h.keyFor('ops', 'operator');
    await request(app).get('/admin/queues').auth('x', operator).expect(200);
    await request(app).get('/v1/admin/jobs?tenant=acme').set('authorization', `Bearer ${operator}`).expect(200);
    for (const path of ['/ADMIN/queues', '/Admin/Queues', '/admin/QUEUES']) {
      const res = await request(app).get(path).auth('x', operator);
      expect([path, res.status]).toEqual([path, 404]);
    }
    for (const path of ['/V1/Admin/jobs?tenant=acme', '/v1/ADMIN/jobs?tenant=acme', '/v1/admin/JOBS?tenant=acme']) {
      const res = await request(app).get(path).set('authorization', `Bearer ${operator}`);
      expect([path, res.status]).toEqual([path, 404]);
    }
    const metrics = await request(app).get('/metrics').expect(200);
    const routes = [...metrics.text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]!);
    expect(routes.filter((r) => r !== r.toLowerCase() && !r.includes(':'))).toEqual([]);
  });

  it('rejects an Authorization header with anything after the key', async () => {
    const app = appFor({});
    const key = await h.keyFor('acme');
    await request(app).get('/v1/nothing').set('authorization', `Bearer ${key}`).expect(404);
    for (const header of [`Bearer ${key} junk`, `Bearer ${key} ${key}`, `Bearer  ${key}`, `Bearer\t${key}`]) {
      const res = await request(app).get('/v1/nothing').set('authorization', header);
      expect([header, res.status]).toEqual([header, 401]);
    }
    const basic = Buffer.from(`x:${key}`).toString('base64');
    await request(app).get('/v1/nothing').set('authorization', `Basic ${basic}`).expect(404);
    await request(app).get('/v1/nothing').set('authorization', `Basic ${basic} junk`).expect(401);
  });

  it('answers a remembered key from memory, Bearer or Basic, and refuses it at once once revoked here', async () => {
    const apiKeys = new ApiKeyStore(h.redis, h.keySpace, { cacheTtlMs: 60_000 });
    const app = h.appWith({ apiKeys });
    const { key, record } = await apiKeys.create({ tenantId: 'acme', role: 'operator', name: 'remembered' });
    await request(app).get('/v1/nothing').set('authorization', `Bearer ${key}`).expect(404);
    // Only memory can answer now: the key's lookup entry is gone from Redis.
    await h.redis.del(h.keySpace.key('apikey', hashApiKey(key)));
    await request(app).get('/v1/nothing').set('authorization', `Bearer ${key}`).expect(404);
    await request(app).get('/admin/queues').auth('x', key).expect(200);
    await request(app).get('/v1/nothing').set('authorization', `Bearer ${key} junk`).expect(401);
    await apiKeys.revoke(record.id);
    await request(app).get('/v1/nothing').set('authorization', `Bearer ${key}`).expect(401);
    const dashboard = await request(app).get('/admin/queues').auth('x', key).expect(401);
    expect(dashboard.headers['www-authenticate']).toMatch(/^Basic /);
  });

  it('without a trusted proxy (the default), X-Forwarded-For cannot buy a fresh failure bucket', async () => {
    const app = appFor({ AUTH_FAILURES_PER_MINUTE: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await request(app)
        .get('/v1/x')
        .set('authorization', 'Bearer wrong')
        .set('x-forwarded-for', `203.0.113.${i + 1}`);
      statuses.push(res.status);
    }
    expect(statuses.slice(-2)).toEqual([429, 429]);
  });

  it('behind one trusted proxy (TRUST_PROXY=1), each client behind it has its own failure bucket', async () => {
    const app = appFor({ AUTH_FAILURES_PER_MINUTE: '3', TRUST_PROXY: '1' });
    const fail = (client: string) =>
      request(app).get('/v1/x').set('authorization', 'Bearer wrong').set('x-forwarded-for', client);
    for (let i = 0; i < 4; i++) await fail('198.51.100.7');
    expect((await fail('198.51.100.7')).status).toBe(429);
    // Another client behind the same proxy (the load balancer) is not refused because of the first one.
    expect((await fail('198.51.100.8')).status).toBe(401);
    // Only the proxy's own entry (the last one) counts: a client cannot prepend a fresh address.
    expect((await fail('192.0.2.1, 198.51.100.7')).status).toBe(429);
  });

  it('reads TRUST_PROXY as false, a hop count or a list of proxies, and refuses true', () => {
    expect(loadApiConfig({}).TRUST_PROXY).toBe(false);
    expect(loadApiConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadApiConfig({ TRUST_PROXY: '10.0.0.0/16, loopback' }).TRUST_PROXY).toEqual(['10.0.0.0/16', 'loopback']);
    expect(() => loadApiConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(() => loadApiConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });
});
