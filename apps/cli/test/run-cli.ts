import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_BIN } from './cli-stack';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  home: string;
  url?: string;
  apiKey?: string;
}

/** The environment a user's shell would give the CLI: no inherited dreamqueue settings, a private home. */
export function cliEnv({ home, url, apiKey }: CliEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: `${home}/.config`,
    NODE_NO_WARNINGS: '1',
    ...(url && { DREAMQUEUE_URL: url }),
    ...(apiKey && { DREAMQUEUE_API_KEY: apiKey }),
  };
}

/** Spawns `dreamqueue <args>` (pipes, no terminal) and collects its output. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<CliRun> & { child: ChildProcess } {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  if (input !== undefined) child.stdin!.end(input);
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  ) as Promise<CliRun> & { child: ChildProcess };
  done.child = child;
  return done;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface TerminalRun {
  child: ChildProcess;
  /** What the terminal has shown so far. */
  output(): string;
  done: Promise<{ code: number | null; transcript: string }>;
}

/**
 * Runs `dreamqueue <args>` in a real pseudo-terminal (util-linux `script`): the CLI's stdin, stdout and stderr
 * are a TTY 100 columns wide, as in a user's terminal; what is written to `child.stdin` is typed into it.
 */
export function runCliInTerminal(args: string[], env: NodeJS.ProcessEnv): TerminalRun {
  const command = `stty cols 100 rows 30; exec ${[process.execPath, CLI_BIN, ...args].map(quote).join(' ')}`;
  // -e: exit with the child's code; -f: flush as written; -q: no banner; /dev/null: no typescript file.
  const child = spawn('script', ['-qefc', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let transcript = '';
  child.stdout!.on('data', (d: Buffer) => (transcript += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (transcript += d.toString()));
  const done = new Promise<{ code: number | null; transcript: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, transcript })),
  );
  return { child, output: () => transcript, done };
}
