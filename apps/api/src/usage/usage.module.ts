import { type Redis } from 'ioredis';
import { UsageLedger } from '@dreamqueue/records';
import { type KeySpace } from '@dreamqueue/redis';
import { type ApiModule } from '../api-module';
import { usageAdminRoutes, usageRoutes } from './usage.routes';

/** The cost ledger's reads: `/v1/usage` for a tenant, `/v1/admin/usage` for operators. */
export function usageModule(deps: { redis: Redis; keySpace: KeySpace }): ApiModule {
  const ledger = new UsageLedger(deps.redis, deps.keySpace);
  return { public: [], v1: [usageRoutes(ledger)], admin: [usageAdminRoutes(ledger)] };
}
