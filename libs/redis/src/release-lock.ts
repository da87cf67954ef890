import { type Redis } from 'ioredis';
import { runScript } from './redis-scripts';

/** Deletes `key` only while it still holds `token` (see scripts/release-lock-1.lua); true when released. */
export async function releaseLock(redis: Redis, key: string, token: string): Promise<boolean> {
  return (await runScript<number>(redis, 'release-lock-1', [key], [token])) === 1;
}
