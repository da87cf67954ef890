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
  it('enters a router only for the first path segments its routes are under, and routes on past it', async () => {
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
    const atRoot = Router();
    atRoot.get('/', (_req, res) => res.end());
    expect(servedOnly(atRoot)).toBe(atRoot);
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
