import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type Logger } from '@dreamqueue/logger';

/**
 * One long-running Python process (containers/testing/emulator_backend.py) spoken to in JSON lines: each
 * request carries an id, each answer the same id; the process serves one request at a time, in order.
 * Its stderr (the models' logs) goes to the emulator's logger at debug level.
 */
export class PythonProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;
  private exited: Error | undefined;
  private readonly exit: Promise<void>;

  constructor(python: string, script: string, env: NodeJS.ProcessEnv, name: string, logger: Logger) {
    this.child = spawn(python, ['-u', script], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exit = new Promise((resolve) => this.child.once('close', () => resolve()));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.answer(line));
    createInterface({ input: this.child.stderr }).on('line', (line) => logger.debug({ python: name }, line));
    this.child.once('error', (err) => this.fail(new Error(`${name} backend could not start: ${err.message}`)));
    this.child.once('exit', (code, signal) =>
      this.fail(new Error(`${name} backend exited (${signal ?? code}); see the emulator log at debug level`)),
    );
  }

  request<T>(op: string, payload: Record<string, unknown>): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin.write(`${JSON.stringify({ id, op, ...payload })}\n`);
    });
  }

  async close(): Promise<void> {
    if (!this.exited) {
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exit;
      clearTimeout(timer);
    }
  }

  private answer(line: string): void {
    let message: { id?: number; error?: string };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return; // not a protocol line
    }
    const waiter = message.id === undefined ? undefined : this.waiting.get(message.id);
    if (!waiter) return;
    this.waiting.delete(message.id!);
    if (message.error) waiter.reject(new Error(message.error));
    else waiter.resolve(message);
  }

  private fail(err: Error): void {
    this.exited ??= err;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}
