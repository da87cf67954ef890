import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port';
import { track } from './leak-guard';

export interface RedisServerOptions {
  /** Append-only file on (fsync everysec) or off. @defaultValue false */
  appendonly?: boolean;
  /** @defaultValue 'noeviction' */
  maxmemoryPolicy?: string;
  /** Reuse a data directory (to restart the same server from its AOF). */
  dir?: string;
  port?: number;
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly process: ChildProcess;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Graceful SHUTDOWN, then wait for the process to exit. */
  stop(): Promise<void>;
  /** Starts a new server on the same port and directory. */
  restart(): Promise<RedisServer>;
}

/**
 * A private redis-server on a free loopback port: tests never touch a Redis they did not start
 * (a shared 6379 may hold someone else's data).
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'dq-redis-'));
  const ownsDir = options.dir === undefined;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.appendonly ? 'yes' : 'no',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    options.maxmemoryPolicy ?? 'noeviction',
    '--enable-debug-command',
    'local',
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  const child = spawn(redisServerBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const untrack = track(`redis-server :${port}`);
  void exited.then(untrack);
  await waitUntilPingable(port, child);

  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    process: child,
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      const next = await startRedisServer({ ...options, port, dir });
      if (!ownsDir) return next;
      // The restarted server reuses this directory; whoever stops it last removes it.
      return {
        ...next,
        async stop() {
          await next.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
  return server;
}

function redisServerBinary(): string {
  return process.env.REDIS_SERVER_BIN ?? 'redis-server';
}

async function waitUntilPingable(port: number, child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${stderr}`);
    if (await answersPing(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer within 10 s`);
}

/** A raw RESP PING over a socket: no client library, so nothing lingers after the probe. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(String(d).startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
