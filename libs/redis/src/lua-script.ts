import { createHash } from 'node:crypto';
import { type Redis } from 'ioredis';

/**
 * A Lua script sent by digest (EVALSHA) instead of by text (EVAL). Status changes run a script on every
 * request and job; sending ~1 KB of Lua each time costs a larger socket write on our side and a hash of the
 * text on the server's. A server that does not know the script yet (first use, restart, SCRIPT FLUSH)
 * answers NOSCRIPT and gets the text once — the same script either way, so the result is unchanged.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}
