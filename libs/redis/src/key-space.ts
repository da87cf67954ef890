/**
 * Every key dreamqueue writes shares one hash tag (`{dq}` by default) so that multi-key Lua scripts and
 * BullMQ's own scripts work on Redis Cluster. Tests give each file its own prefix.
 */
export interface KeySpace {
  /** BullMQ `prefix` option for every Queue, Worker and QueueEvents. */
  readonly queuePrefix: string;
  /** Builds a resource key, e.g. `key('model', tenant, id)` → `{dq}:model:t1:mdl_x`. */
  key(...parts: string[]): string;
}

export function createKeySpace(prefix = '{dq}'): KeySpace {
  if (!/^\{[^{}]+\}$/.test(prefix)) {
    throw new Error(`Key prefix "${prefix}" must be a Redis hash tag such as "{dq}"`);
  }
  return {
    queuePrefix: prefix,
    // Built by appending: a request builds a dozen keys, and `[prefix, ...parts].join(':')` allocates an
    // array for each.
    key: (...parts) => {
      let key = prefix;
      for (const part of parts) key += `:${part}`;
      return key;
    },
  };
}
