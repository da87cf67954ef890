import { z } from 'zod';
import { boolEnv, commonEnv, durationMs, intEnv, loadConfig } from '@dreamqueue/config';

export const ApiEnv = z.object({
  ...commonEnv,
  PORT: intEnv(3000, 0, 65535),
  HOST: z.string().default('127.0.0.1'),
  /** Serve Bull Board and /v1/admin on this listener. Disable to run operator routes elsewhere. */
  ADMIN_ENABLED: boolEnv(true),
  /** Requests slower than this (headers included) are dropped: protects against slow uploads. */
  REQUEST_TIMEOUT: durationMs('120s'),
  HEADERS_TIMEOUT: durationMs('20s'),
  /** Failed authentications allowed per client IP per minute before answering 429. */
  AUTH_FAILURES_PER_MINUTE: intEnv(30, 1),
  /** Registers this key (admin role) at start-up: the local key `npm start` prints. Leave unset in production. */
  BOOTSTRAP_API_KEY: z.string().regex(/^dq_[A-Za-z0-9]{40}$/, 'expected dq_ followed by 40 letters or digits').optional(),
  BOOTSTRAP_TENANT: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/).default('local'),
});

export type ApiConfig = z.output<typeof ApiEnv>;

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): Readonly<ApiConfig> {
  return loadConfig(ApiEnv, env);
}
