import { createInterface } from 'node:readline';
import { DreamqueueClient } from '@dreamqueue/client';
import { configPath, removeConfigFile, writeConfigFile } from '../config/config-file';
import { type CommandContext } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/**
 * `dreamqueue login [--url URL]`: asks for the API key (or reads it from stdin when piped), checks it
 * against the API, and stores URL and key in the config file, readable only by the owner.
 */
export async function login(ctx: CommandContext, opts: { url?: string }): Promise<ExitCode> {
  const url = (opts.url ?? ctx.io.env.DREAMQUEUE_URL ?? DEFAULT_URL).replace(/\/$/, '');
  const apiKey = (ctx.io.env.DREAMQUEUE_API_KEY ?? (await readKey(ctx))).trim();
  if (!apiKey) throw new CliError(EXIT.usage, 'No API key given.');
  // Check it before storing it: a typo should fail here, not in the next command.
  await new DreamqueueClient({ baseUrl: url, apiKey, fetch: ctx.fetch, maxRetries: 0 }).listModels({ limit: 1 });
  const path = configPath(ctx.io.env);
  writeConfigFile(path, { url, apiKey });
  ctx.out.result({ url, config: path }, `Logged in to ${url}. Saved to ${path} (readable only by you).`);
  return EXIT.ok;
}

/** `dreamqueue logout`: removes the stored key. */
export function logout(ctx: CommandContext): ExitCode {
  const path = configPath(ctx.io.env);
  const removed = removeConfigFile(path);
  ctx.out.result({ removed, config: path }, removed ? `Removed ${path}.` : `Not logged in (${path} does not exist).`);
  return EXIT.ok;
}

async function readKey(ctx: CommandContext): Promise<string> {
  const { stdin, stderr } = ctx.io;
  if (stdin.isTTY && (stdin as NodeJS.ReadStream).setRawMode) {
    stderr.write('API key (input hidden): ');
    return readHidden(stdin as NodeJS.ReadStream).finally(() => stderr.write('\n'));
  }
  const rl = createInterface({ input: stdin, terminal: false });
  try {
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
  }
}

/** Reads one line from a terminal in raw mode, echoing nothing, so the key does not stay on screen. */
function readHidden(tty: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (finish: () => void) => {
      tty.off('data', onData);
      tty.setRawMode(false);
      tty.pause();
      finish();
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(() => resolve(typed));
        if (char === '\u0003')
          return done(() => reject(new CliError(EXIT.interrupted, 'Login interrupted; nothing was stored.')));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    tty.setRawMode(true);
    tty.resume();
    tty.on('data', onData);
  });
}
