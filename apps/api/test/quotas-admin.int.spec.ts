import request from 'supertest';
import { type createApp } from '../src/app';
import { quotasModule } from '../src/quotas/quotas.module';
import { TenantQuotas } from '../src/quotas/tenant-quotas';
import { startApiHarness, type ApiHarness } from './api-harness';

describe('quotas: admins set and clear a tenant’s limits, tenants read only their own (real Redis)', () => {
  let h: ApiHarness;
  let app: ReturnType<typeof createApp>;
  let keys: { admin: string; operator: string; acme: string; globex: string };

  beforeAll(async () => {
    h = await startApiHarness();
    const quotas = new TenantQuotas(h.redis, h.keySpace, { imagesPerMinute: 600 });
    const module = quotasModule({ quotas });
    app = h.appWith({ v1Routers: module.v1, adminRouters: module.admin });
    keys = {
      admin: await h.keyFor('ops', 'admin'),
      operator: await h.keyFor('ops', 'operator'),
      acme: await h.keyFor('acme'),
      globex: await h.keyFor('globex'),
    };
  });
  afterAll(async () => h.close());

  const as = (key: string, r: request.Test) => r.set('authorization', `Bearer ${key}`);
  const put = (tenant: string, body: unknown, key = keys.admin) =>
    as(key, request(app).put(`/v1/admin/tenants/${tenant}/quotas`)).send(body as object);

  it('a new tenant is unlimited except where the operator set a default', async () => {
    const res = await as(keys.acme, request(app).get('/v1/quotas')).expect(200);
    expect(res.body).toEqual({
      object: 'quotas',
      tenantId: 'acme',
      queuedItems: { limit: null, source: 'none', usage: 0 },
      concurrentTrainings: { limit: null, source: 'none', usage: 0 },
      imagesPerMinute: { limit: 600, source: 'default', usage: 0 },
    });
  });

  it('PUT changes only the limits named; null clears one back to the default', async () => {
    const set = await put('acme', { queuedItems: 500, imagesPerMinute: 60 }).expect(200);
    expect(set.body).toMatchObject({
      tenantId: 'acme',
      queuedItems: { limit: 500, source: 'tenant' },
      concurrentTrainings: { limit: null, source: 'none' },
      imagesPerMinute: { limit: 60, source: 'tenant' },
    });
    const partial = await put('acme', { concurrentTrainings: 2 }).expect(200);
    expect(partial.body).toMatchObject({
      queuedItems: { limit: 500 },
      concurrentTrainings: { limit: 2, source: 'tenant' },
      imagesPerMinute: { limit: 60 },
    });
    const cleared = await put('acme', { imagesPerMinute: null, queuedItems: null }).expect(200);
    expect(cleared.body).toMatchObject({
      queuedItems: { limit: null, source: 'none' },
      concurrentTrainings: { limit: 2 },
      imagesPerMinute: { limit: 600, source: 'default' },
    });
    expect((await as(keys.acme, request(app).get('/v1/quotas')).expect(200)).body).toEqual(cleared.body);
  });

  it('a limit of 0 is a limit (nothing fits), not "unlimited"', async () => {
    const res = await put('acme', { concurrentTrainings: 0 }).expect(200);
    expect(res.body.concurrentTrainings).toEqual({ limit: 0, source: 'tenant', usage: 0 });
  });

  it('a tenant sees only its own quotas: another tenant’s limits never show', async () => {
    await put('globex', { queuedItems: 7 }).expect(200);
    const globex = await as(keys.globex, request(app).get('/v1/quotas')).expect(200);
    expect(globex.body).toMatchObject({ tenantId: 'globex', queuedItems: { limit: 7 } });
    const acme = await as(keys.acme, request(app).get('/v1/quotas')).expect(200);
    expect(acme.body.tenantId).toBe('acme');
    expect(acme.body.queuedItems.limit).not.toBe(7);
  });

  it('tenants can neither read nor set any tenant’s quotas through the admin routes; operators read, only admins set', async () => {
    for (const key of [keys.acme, keys.globex]) {
      const read = await as(key, request(app).get('/v1/admin/tenants/acme/quotas')).expect(403);
      expect(read.body.error.code).toBe('forbidden');
      expect((await put('acme', { queuedItems: 1 }, key).expect(403)).body.error.code).toBe('forbidden');
    }
    const read = await as(keys.operator, request(app).get('/v1/admin/tenants/globex/quotas')).expect(200);
    expect(read.body).toMatchObject({ tenantId: 'globex', queuedItems: { limit: 7, source: 'tenant' } });
    expect((await put('globex', { queuedItems: 1 }, keys.operator).expect(403)).body.error.code).toBe('forbidden');
    expect((await as(keys.admin, request(app).get('/v1/admin/tenants/globex/quotas'))).body.queuedItems.limit).toBe(7);
  });

  it.each([
    ['a negative limit', { queuedItems: -1 }],
    ['a fraction', { imagesPerMinute: 1.5 }],
    ['a string', { concurrentTrainings: '3' }],
    ['an unknown quota', { gpuSeconds: 10 }],
  ])('%s → 400 invalid_quota naming the field, nothing changed', async (_label, body) => {
    const before = (await as(keys.admin, request(app).get('/v1/admin/tenants/acme/quotas'))).body;
    const res = await put('acme', body).expect(400);
    expect(res.body.error.code).toBe('invalid_quota');
    expect(res.body.error.message).toMatch(/queuedItems|imagesPerMinute|concurrentTrainings|gpuSeconds/);
    expect((await as(keys.admin, request(app).get('/v1/admin/tenants/acme/quotas'))).body).toEqual(before);
  });

  it('a malformed tenant id is 404, never a key', async () => {
    const res = await as(keys.admin, request(app).get('/v1/admin/tenants/Not_A:Tenant/quotas')).expect(404);
    expect(res.body.error.code).toBe('not_found');
    expect(await h.redis.keys('*Not_A*')).toEqual([]);
  });
});
