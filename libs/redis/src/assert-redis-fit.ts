import { type Redis } from 'ioredis';
import { AppError } from '@dreamqueue/errors';

/**
 * BullMQ only warns when Redis may evict keys; an evicted job lock or job hash silently loses work.
 * dreamqueue refuses to start instead. Managed Redis (ElastiCache) may block CONFIG GET, so the policy
 * is read from INFO, which every provider allows.
 */
export async function assertRedisFit(redis: Redis): Promise<{ version: string; maxmemoryPolicy: string }> {
  const info = await redis.info('memory');
  const server = await redis.info('server');
  const maxmemoryPolicy = /maxmemory_policy:(\S+)/.exec(info)?.[1] ?? 'unknown';
  const version = /redis_version:(\S+)/.exec(server)?.[1] ?? 'unknown';
  if (maxmemoryPolicy !== 'noeviction') {
    throw new AppError(
      'redis_eviction_policy',
      `Redis maxmemory-policy is "${maxmemoryPolicy}"; dreamqueue requires "noeviction" so queued work is never evicted. ` +
        'Set it with: redis-cli CONFIG SET maxmemory-policy noeviction (and in redis.conf).',
    );
  }
  const [major] = version.split('.').map(Number);
  if (!major || major < 6) {
    throw new AppError('redis_version', `Redis ${version} is too old; dreamqueue needs Redis 6.2 or newer.`);
  }
  return { version, maxmemoryPolicy };
}
