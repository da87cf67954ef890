import { type Writable } from 'node:stream';
import { createLogger } from '@dreamqueue/logger';
import { createApp } from '../src/app';
import { operationsModule } from '../src/admin/operations.module';
import { type ApiModule } from '../src/api-module';
import { notificationsModule } from '../src/events/notifications.module';
import { loadApiConfig } from '../src/config';
import { startApiHarness, type ApiHarness } from './api-harness';
import { checkResponsesAgainstOpenApi } from './openapi/openapi-validator';

export interface OperationsHarness extends ApiHarness {
  operations: ApiModule;
  notifications: ApiModule;
}

/**
 * The API harness (real Redis, real queues) with the operations and notifications routers mounted as main.ts
 * mounts them.
 */
export async function startOperationsHarness(
  env: NodeJS.ProcessEnv = {},
  logDestination?: Writable,
): Promise<OperationsHarness> {
  const h = await startApiHarness();
  return { ...h, ...operationsApp(h, env, logDestination) };
}

/** The app main.ts builds from `env` over the harness' Redis and queues, its responses checked against the document. */
export function operationsApp(h: ApiHarness, env: NodeJS.ProcessEnv, logDestination?: Writable) {
  const config = loadApiConfig(env);
  const operations = operationsModule({
    config,
    redis: h.redis,
    keySpace: h.keySpace,
    queues: h.queues,
    defaultMetrics: false,
  });
  const notifications = notificationsModule({ config, redis: h.redis, keySpace: h.keySpace });
  const app = checkResponsesAgainstOpenApi(
    createApp({
      logger: createLogger({
        name: 'api-test',
        level: logDestination ? 'debug' : 'silent',
        destination: logDestination,
      }),
      redis: h.redis,
      keySpace: h.keySpace,
      apiKeys: h.apiKeys,
      queues: h.queues,
      readiness: [],
      publicRouters: operations.public,
      v1Routers: [...operations.v1, ...notifications.v1],
      adminRouters: operations.admin,
      authFailuresPerMinute: config.AUTH_FAILURES_PER_MINUTE,
      trustProxy: config.TRUST_PROXY,
    }),
  );
  return { app, operations, notifications };
}
