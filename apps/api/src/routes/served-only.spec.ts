import express, { Router, type RequestHandler } from 'express';
import request from 'supertest';
import { servedOnly } from './served-only';

function appWith(...handlers: RequestHandler[]) {
  const app = express();
  app.set('case sensitive routing', true);
  app.use('/v1', ...handlers);
  app.use((_req, res) => res.status(404).json({ error: 'route_not_found' }));
  return app;
}

describe('servedOnly', () => {
  it('enters a router only for the paths its routes are under, and routes on past it', async () => {
    const models = Router({ caseSensitive: true });
    models.get('/models', (_req, res) => res.json({ list: true }));
    models.get('/models/:id', (req, res) => res.json({ id: req.params.id }));
    const generations = Router({ caseSensitive: true });
    generations.post('/generations', (_req, res) => res.status(202).json({ ok: true }));
    const entered = jest.spyOn(models as unknown as { handle: RequestHandler }, 'handle');
    const app = appWith(servedOnly(models), servedOnly(generations));

    await request(app).get('/v1/models/mdl_1?x=1').expect(200, { id: 'mdl_1' });
    await request(app).get('/v1/models').expect(200, { list: true });
    expect(entered).toHaveBeenCalledTimes(2);
    await request(app).post('/v1/generations').send({}).expect(202, { ok: true });
    await request(app).get('/v1/Models').expect(404);
    await request(app).get('/v1/modelsx').expect(404);
    expect(entered).toHaveBeenCalledTimes(2);
  });

  it('always enters a router with middleware on every path, or a route with a parameter first', () => {
    const withMiddleware = Router();
    withMiddleware.use((_req, _res, next) => next());
    withMiddleware.get('/metrics', (_req, res) => res.end());
    expect(servedOnly(withMiddleware)).toBe(withMiddleware);
    const withParameter = Router();
    withParameter.get('/:tenant/usage', (_req, res) => res.end());
    expect(servedOnly(withParameter)).toBe(withParameter);
    const mountedAtRoot = Router();
    mountedAtRoot.use('/', (_req, res) => res.end());
    expect(servedOnly(mountedAtRoot)).toBe(mountedAtRoot);
  });

  it("enters a router only for paths its routes' literal segments can match", async () => {
    const sns = Router({ caseSensitive: true });
    sns.post('/v1/notifications/sns', (_req, res) => res.json({ sns: true }));
    const studio = Router();
    studio.get('/', (_req, res) => res.json({ page: true }));
    studio.use('/assets', (_req, res) => res.json({ asset: true }));
    const models = Router({ caseSensitive: true });
    models.get('/models/:id/versions', (req, res) => res.json({ versions: req.params.id }));
    const entered = [sns, studio, models].map((r) => jest.spyOn(r as unknown as { handle: RequestHandler }, 'handle'));
    const app = express();
    app.use(servedOnly(sns), servedOnly(studio), servedOnly(models));
    app.use((_req, res) => res.status(404).json({ error: 'route_not_found' }));

    await request(app).post('/v1/generations').expect(404);
    await request(app).get('/v1/notifications').expect(404);
    await request(app).post('/v1/notifications/snsx').expect(404);
    await request(app).get('/assetsx/a.css').expect(404);
    await request(app).get('/modelsx/mdl_1/versions').expect(404);
    expect(entered.map((spy) => spy.mock.calls.length)).toEqual([0, 0, 0]);

    await request(app).post('/v1/notifications/sns/').expect(200, { sns: true });
    await request(app).get('/?x=1').expect(200, { page: true });
    await request(app).get('/Assets/a.css').expect(200, { asset: true });
    await request(app).get('/models/mdl_1/versions').expect(200, { versions: 'mdl_1' });
    expect(entered.map((spy) => spy.mock.calls.length)).toEqual([1, 2, 1]);
  });

  it('enters a strict router for a trailing slash either way', async () => {
    const strict = Router({ strict: true });
    strict.get('/docs/', (_req, res) => res.json({ slash: true }));
    strict.get('/page', (_req, res) => res.json({ page: true }));
    const app = express();
    app.use(servedOnly(strict));
    app.use((_req, res) => res.status(404).json({ error: 'route_not_found' }));
    await request(app).get('/docs/').expect(200, { slash: true });
    await request(app).get('/docs').expect(404);
    await request(app).get('/page').expect(200, { page: true });
    await request(app).get('/page/').expect(404);
  });

  it("matches a case-insensitive router's segments in any case, including a mounted path under it", async () => {
    const docs = Router();
    docs.get('/docs', (_req, res) => res.json({ page: true }));
    docs.use('/docs/assets', (_req, res) => res.json({ asset: true }));
    const gated = servedOnly(docs);
    expect(gated).not.toBe(docs);
    expect((gated as unknown as { router: unknown }).router).toBe(docs);
    const app = appWith(gated);
    await request(app).get('/v1/DOCS').expect(200, { page: true });
    await request(app).get('/v1/docs/assets/x.css').expect(200, { asset: true });
    await request(app).get('/v1/openapi.json').expect(404);
  });
});
