import { CliError, EXIT } from '../exit-codes';
import { configPath, readConfigFile, tooOpen } from './config-file';

export interface ResolvedConfig {
  url: string;
  apiKey: string;
  /** Where the key came from, for messages. */
  source: 'environment' | string;
}

/**
 * `DREAMQUEUE_URL` and `DREAMQUEUE_API_KEY` win over the file `dreamqueue login` writes; each may come from
 * either. Without a key the command cannot run: say how to give one.
 */
export function resolveConfig(env: NodeJS.ProcessEnv, warn: (line: string) => void): ResolvedConfig {
  const path = configPath(env);
  let file: ReturnType<typeof readConfigFile>;
  try {
    file = readConfigFile(path);
  } catch {
    throw new CliError(EXIT.config, `${path} is not valid JSON; run \`dreamqueue login\` again.`, {
      code: 'config_unreadable',
      message: `${path} is not valid JSON`,
    });
  }
  if (file?.apiKey && !env.DREAMQUEUE_API_KEY && tooOpen(path))
    warn(`warning: ${path} is readable by other users; run: chmod 600 ${path}`);
  const url = env.DREAMQUEUE_URL || file?.url;
  const apiKey = env.DREAMQUEUE_API_KEY || file?.apiKey;
  if (!url || !apiKey) {
    throw new CliError(
      EXIT.config,
      'Not configured: set DREAMQUEUE_URL and DREAMQUEUE_API_KEY, or run `dreamqueue login`.',
      { code: 'not_configured', message: 'DREAMQUEUE_URL and DREAMQUEUE_API_KEY are not set and no login is stored' },
    );
  }
  return { url, apiKey, source: env.DREAMQUEUE_API_KEY ? 'environment' : path };
}
