import { type Queue } from 'bullmq';
import { QUEUE_CATALOG, createQueue } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { type KeySpace, type Redis } from '@dreamqueue/redis';
import { startRedisFixture, type RedisServer } from '@dreamqueue/testing';
import { createApp, type AppDeps } from '../src/app';
import { ApiKeyStore } from '../src/auth/api-key.store';
import { checkResponsesAgainstOpenApi } from './openapi/openapi-validator';

/** A real Redis, real queues and the Express app (not listening), for supertest. */
export interface ApiHarness {
  redisServer: RedisServer;
  redis: Redis;
  keySpace: KeySpace;
  apiKeys: ApiKeyStore;
  queues: Queue[];
  app: ReturnType<typeof createApp>;
  /** Another app over the same Redis, queues and keys, with some dependencies replaced (e.g. routers). */
  appWith(overrides: Partial<AppDeps>): ReturnType<typeof createApp>;
  keyFor(tenantId: string, role?: 'tenant' | 'operator' | 'admin'): Promise<string>;
  close(): Promise<void>;
}

export async function startApiHarness(overrides: Partial<AppDeps> = {}): Promise<ApiHarness> {
  const fx = await startRedisFixture({ role: 'producer' });
  const { server: redisServer, redis } = fx;
  const keySpace = fx.keySpace();
  const apiKeys = new ApiKeyStore(redis, keySpace);
  const queues = Object.values(QUEUE_CATALOG).map(
    (d) => createQueue(d, { connection: { url: redisServer.url }, prefix: keySpace.queuePrefix }) as Queue,
  );
  const appWith = (more: Partial<AppDeps>) =>
    checkResponsesAgainstOpenApi(
      createApp({
        logger: createLogger({ name: 'api-test', level: 'silent' }),
        redis,
        keySpace,
        apiKeys,
        queues,
        readiness: [{ name: 'redis', check: async () => void (await redis.ping()) }],
        ...overrides,
        ...more,
      }),
    );
  const app = appWith({});
  return {
    redisServer,
    redis,
    keySpace,
    apiKeys,
    queues,
    app,
    appWith,
    keyFor: async (tenantId, role = 'tenant') => (await apiKeys.create({ tenantId, role, name: 'test' })).key,
    async close() {
      await Promise.all(queues.map((q) => q.close()));
      await fx.close();
    },
  };
}
