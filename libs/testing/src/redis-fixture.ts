import {
  createKeySpace,
  createRedisConnection,
  waitForReady,
  type KeySpace,
  type Redis,
  type RedisRole,
} from '@dreamqueue/redis';
import { startRedisServer, type RedisServer, type RedisServerOptions } from './redis-server';
import { uniquePrefix } from './unique';

/** A private redis-server plus one connected client: the setup most integration test files need. */
export interface RedisFixture {
  server: RedisServer;
  redis: Redis;
  /** A fresh key space (unique hash-tag prefix) per call, so tests in one file never share keys. */
  keySpace(label?: string): KeySpace;
  close(): Promise<void>;
}

export async function startRedisFixture(
  options: RedisServerOptions & { role?: RedisRole } = {},
): Promise<RedisFixture> {
  const server = await startRedisServer(options);
  const redis = createRedisConnection({ url: server.url, role: options.role ?? 'worker' });
  redis.on('error', () => undefined);
  await waitForReady(redis);
  return {
    server,
    redis,
    keySpace: (label) => createKeySpace(uniquePrefix(label)),
    async close() {
      redis.disconnect();
      await server.stop();
    },
  };
}
