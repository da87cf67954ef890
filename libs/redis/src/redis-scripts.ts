import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ChainableCommander, type Redis } from 'ioredis';

/**
 * Every Lua script dreamqueue runs lives in `scripts/<name>-<numberOfKeys>.lua` (BullMQ's naming) and is
 * loaded here, once per process, into ioredis' `defineCommand`: ioredis sends it by digest (EVALSHA) and
 * sends the text only when a server does not know it yet (first use, restart, SCRIPT FLUSH).
 *
 * A line `--- @include "<name>"` is replaced by `scripts/includes/<name>.lua`, so a piece of Lua that
 * several scripts share (the event append) has one text. The build copies `scripts/` next to the compiled
 * loader, so the same relative path works from `src/` (tests) and `dist/` (the apps).
 */
export const SCRIPT_DIR = path.join(__dirname, 'scripts');

const FILE_NAME = /^([a-z][a-z0-9-]*)-(\d+)\.lua$/;
const INCLUDE = /^--- @include "([a-z0-9-]+)"$/gm;

export interface ScriptDefinition {
  /** File name without `.lua`, e.g. `guarded-update-5`: what callers pass to `runScript`. */
  name: string;
  numberOfKeys: number;
  lua: string;
}

let catalog: Map<string, ScriptDefinition> | undefined;

/** Every script in `scripts/`, includes resolved. Read from disk on first use. */
export function scriptDefinitions(): Map<string, ScriptDefinition> {
  if (catalog) return catalog;
  const loaded = new Map<string, ScriptDefinition>();
  for (const file of readdirSync(SCRIPT_DIR).sort()) {
    if (!file.endsWith('.lua')) continue;
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`Redis script ${file} must be named <name>-<numberOfKeys>.lua`);
    const lua = readFileSync(path.join(SCRIPT_DIR, file), 'utf8').replace(INCLUDE, (_line, include: string) =>
      readFileSync(path.join(SCRIPT_DIR, 'includes', `${include}.lua`), 'utf8'),
    );
    const name = file.slice(0, -'.lua'.length);
    loaded.set(name, { name, numberOfKeys: Number(match[2]), lua });
  }
  catalog = loaded;
  return loaded;
}

type ScriptCommand = (...keysAndArgs: (string | number)[]) => unknown;
const defined = new WeakSet<object>();

/**
 * Defines every script as a command on `redis` (once per connection). Pipelines and MULTIs created from the
 * connection afterwards carry the commands too.
 */
export function defineScripts(redis: Redis): Redis {
  if (defined.has(redis)) return redis;
  for (const script of scriptDefinitions().values()) {
    redis.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
  defined.add(redis);
  return redis;
}

function command(target: Redis | ChainableCommander, name: string, keys: readonly string[]): ScriptCommand {
  const script = scriptDefinitions().get(name);
  if (!script) throw new Error(`No Redis script ${name}.lua in ${SCRIPT_DIR}`);
  if (keys.length !== script.numberOfKeys) {
    throw new Error(`Redis script ${name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
  }
  const fn = (target as unknown as Record<string, ScriptCommand | undefined>)[name];
  if (!fn) throw new Error(`Redis script ${name} is not defined on this pipeline: call defineScripts first`);
  return fn.bind(target);
}

/** Runs script `name` (its file name without `.lua`) with exactly as many keys as the name says. */
export async function runScript<Reply>(
  redis: Redis,
  name: string,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<Reply> {
  return (await command(defineScripts(redis), name, keys)(...keys, ...args)) as Reply;
}

/**
 * Queues script `name` on a pipeline; the pipeline must come from a connection passed to `defineScripts`
 * (`pipelineWithScripts` does both).
 */
export function queueScript(
  pipeline: ChainableCommander,
  name: string,
  keys: readonly string[],
  args: readonly (string | number)[],
): void {
  command(pipeline, name, keys)(...keys, ...args);
}

/** A pipeline that can queue dreamqueue's scripts. */
export function pipelineWithScripts(redis: Redis): ChainableCommander {
  return defineScripts(redis).pipeline();
}
