import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface StoredConfig {
  url: string;
  apiKey: string;
}

/** `$XDG_CONFIG_HOME/dreamqueue/config.json`, or `~/.config/dreamqueue/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'dreamqueue', 'config.json');
}

export function readConfigFile(path: string): Partial<StoredConfig> | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<StoredConfig>;
  return { url: typeof parsed.url === 'string' ? parsed.url : undefined, apiKey: parsed.apiKey };
}

/** True when group or others may read or write the file (it holds an API key). */
export function tooOpen(path: string): boolean {
  return (statSync(path).mode & 0o077) !== 0;
}

/**
 * Writes the file readable by its owner only (0600, in a 0700 directory). It is written under a temporary
 * name with those permissions and then renamed, so the key is never briefly readable by others.
 */
export function writeConfigFile(path: string, config: StoredConfig): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export function removeConfigFile(path: string): boolean {
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}
