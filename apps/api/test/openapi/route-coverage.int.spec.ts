import { type Server } from 'node:http';
import { startRedisServer, type RedisServer } from '@dreamqueue/testing';
import { generateApiKey } from '../../src/auth/api-key';
import { main } from '../../src/main';
import { listRoutes } from './list-routes';
import { openApiDocument } from './openapi-validator';

/**
 * The routes the real composition root serves (main(), as `npm start` runs it) against the OpenAPI
 * document's paths and methods, both ways: a route added without describing it fails here, and so does a
 * described route that no longer exists.
 */
describe('OpenAPI document covers every route', () => {
  let redis: RedisServer;
  let api: { server: Server; stop: () => Promise<void> };

  beforeAll(async () => {
    redis = await startRedisServer();
    api = await main({
      REDIS_URL: redis.url,
      QUEUE_PREFIX: '{routes}',
      PORT: '0',
      LOG_LEVEL: 'silent',
      BOOTSTRAP_API_KEY: generateApiKey(),
      S3_ENDPOINT: 'http://127.0.0.1:9',
      SAGEMAKER_ENDPOINT: 'http://127.0.0.1:9',
    });
  });
  afterAll(async () => {
    await api.stop();
    await redis.stop();
  });

  const served = () => {
    const app = api.server.listeners('request')[0] as unknown as Parameters<typeof listRoutes>[0];
    return listRoutes(app).map((r) => `${r.method.toUpperCase()} ${r.path}`);
  };
  const documented = () =>
    Object.entries(openApiDocument.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );

  it('finds the routes of every mounted router (the enumeration itself works)', () => {
    expect(served()).toEqual(
      expect.arrayContaining(['GET /healthz', 'POST /v1/models', 'GET /v1/batches/{id}/results', 'GET /v1/admin/jobs']),
    );
  });

  it('describes every route the app serves', () => {
    const missing = served().filter((route) => !documented().includes(route));
    expect(missing).toEqual([]);
  });

  it('describes no route the app does not serve', () => {
    const stale = documented().filter((route) => !served().includes(route));
    expect(stale).toEqual([]);
  });
});
