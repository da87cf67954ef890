import { type Writable } from 'node:stream';
import { createLogger } from '@dreamqueue/logger';
import { createApp } from '../src/app';
import { operationsModule, type OperationsModule } from '../src/admin/operations.module';
import { loadApiConfig } from '../src/config';
import { startApiHarness, type ApiHarness } from './api-harness';
import { checkResponsesAgainstOpenApi } from './openapi/openapi-validator';

export interface OperationsHarness extends ApiHarness {
  operations: OperationsModule;
}

/** The API harness (real Redis, real queues) with the operations routers mounted as main.ts mounts them. */
export async function startOperationsHarness(
  env: NodeJS.ProcessEnv = {},
  logDestination?: Writable,
): Promise<OperationsHarness> {
  const h = await startApiHarness();
  const config = loadApiConfig(env);
  const operations = operationsModule({
    config,
    redis: h.redis,
    keySpace: h.keySpace,
    queues: h.queues,
    defaultMetrics: false,
  });
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
      v1Routers: operations.v1,
      adminRouters: operations.admin,
    }),
  );
  return { ...h, app, operations };
}
