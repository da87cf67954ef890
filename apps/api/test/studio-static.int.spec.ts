import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { studioRoutes } from '../src/studio/studio.routes';
import { startApiHarness, type ApiHarness } from './api-harness';

describe('the studio’s static files on the API (real app, real Redis for auth)', () => {
  let h: ApiHarness;
  let dir: string;
  beforeAll(async () => {
    h = await startApiHarness();
    dir = mkdtempSync(join(tmpdir(), 'dq-studio-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/app-1a2b.js"></script>');
    writeFileSync(join(dir, 'assets', 'app-1a2b.js'), 'console.log("studio")');
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  it('serves index.html at / (revalidated, strict CSP, no referrer) and hashed assets for a year', async () => {
    const app = h.appWith({ publicRouters: [studioRoutes(dir)] });
    const page = await request(app).get('/').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const asset = await request(app).get('/assets/app-1a2b.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toContain('javascript');
  });

  it('answers JSON 404s for a missing asset, a path outside assets and unknown /v1 routes', async () => {
    const app = h.appWith({ publicRouters: [studioRoutes(dir)] });
    for (const path of ['/assets/missing.js', '/assets/../index.html', '/index.html', '/favicon.ico']) {
      const res = await request(app).get(path).expect(404);
      expect(res.body.error.code).toBe('route_not_found');
    }
    const key = await h.keyFor('acme');
    const unknown = await request(app).get('/v1/nope').set('authorization', `Bearer ${key}`).expect(404);
    expect(unknown.body.error.code).toBe('route_not_found');
    await request(app).get('/v1/nope').expect(401);
  });

  it('says how to build the studio when its folder has no index.html', async () => {
    const app = h.appWith({ publicRouters: [studioRoutes(join(dir, 'nowhere'))] });
    const res = await request(app).get('/').expect(404);
    expect(res.body.error.code).toBe('studio_not_built');
    expect(res.body.error.message).toContain('npm run build');
  });
});
