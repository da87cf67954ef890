import { Router } from 'express';
import request from 'supertest';
import { startApiHarness, type ApiHarness } from '../api-harness';
import { takeOpenApiViolations } from './openapi-validator';

/** The response check every API test runs under, caught in the act on answers the document does not allow. */
describe('responses are checked against the OpenAPI document', () => {
  let h: ApiHarness;
  let key: string;
  beforeAll(async () => {
    h = await startApiHarness();
    key = await h.keyFor('acme');
  });
  afterAll(() => h.close());

  const appServing = (status: number, body: unknown) => {
    const router = Router();
    router.get('/models/:id', (_req, res) => void res.status(status).json(body));
    return h.appWith({ v1Routers: [router] });
  };

  it('flags a body that does not match the documented schema (a leaked internal field)', async () => {
    const leaked = { id: 'mdl_x', object: 'model', targetModel: 'acme/mdl_x/v1.tar.gz' };
    await request(appServing(200, leaked)).get('/v1/models/mdl_x').set('authorization', `Bearer ${key}`);
    const violations = takeOpenApiViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/GET \/v1\/models\/mdl_x 200 body does not match the document/);
  });

  it('flags a status the operation does not list, and an error code it does not answer with', async () => {
    await request(appServing(418, { error: { code: 'teapot', message: 'short and stout' } }))
      .get('/v1/models/mdl_x')
      .set('authorization', `Bearer ${key}`);
    expect(takeOpenApiViolations()).toEqual([expect.stringMatching(/answered 418, which the document does not list/)]);

    await request(appServing(404, { error: { code: 'model_gone', message: 'gone' } }))
      .get('/v1/models/mdl_x')
      .set('authorization', `Bearer ${key}`);
    expect(takeOpenApiViolations()).toEqual([expect.stringMatching(/404 body does not match/)]);
  });

  it('accepts what the real routes answer, including the error shape on unknown routes', async () => {
    await request(h.app).get('/healthz').expect(200);
    await request(h.app).get('/readyz').expect(200);
    await request(h.app).get('/v1/nothing-here').set('authorization', `Bearer ${key}`).expect(404);
    await request(h.app).get('/v1/models').expect(401);
    expect(takeOpenApiViolations()).toEqual([]);
  });
});
