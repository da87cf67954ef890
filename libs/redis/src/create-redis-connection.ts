import { Redis, type RedisOptions } from 'ioredis';
import { CoalescingRedis } from './coalescing-redis';

/**
 * `producer` connections belong to the API: with the offline queue off, a command issued while Redis is
 * unreachable fails at once and the API answers 503 instead of hanging a client request.
 * `worker` connections belong to BullMQ workers and QueueEvents: BullMQ requires
 * `maxRetriesPerRequest: null` so blocking commands wait through reconnects.
 * @see https://docs.bullmq.io/patterns/failing-fast-when-redis-is-down
 */
export type RedisRole = 'producer' | 'worker';

export interface RedisConnectionOptions {
  url: string;
  role: RedisRole;
  /** Name shown in `CLIENT LIST`, useful when an operator looks for a stuck client. */
  connectionName?: string;
  /** Write the commands of one event-loop turn together (see `CoalescingRedis`). @defaultValue false */
  coalesceWrites?: boolean;
}

export function redisOptionsFor(role: RedisRole): RedisOptions {
  return role === 'producer'
    ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5_000 }
    : { maxRetriesPerRequest: null, enableReadyCheck: true };
}

export function createRedisConnection({ url, role, connectionName, coalesceWrites }: RedisConnectionOptions): Redis {
  return new (coalesceWrites ? CoalescingRedis : Redis)(url, {
    ...redisOptionsFor(role),
    connectionName,
    // Reconnect forever with a capped backoff; BullMQ relies on ioredis for reconnection.
    retryStrategy: (times) => Math.min(250 * 2 ** Math.min(times, 7), 20_000),
  });
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitForReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
