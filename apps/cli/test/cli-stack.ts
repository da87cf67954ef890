import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  freePort,
  startRedisServer,
  startTestEmulator,
  type RedisServer,
  type TestEmulator,
} from '@dreamqueue/testing';

const ROOT = resolve(__dirname, '..', '..', '..');
export const CLI_BIN = join(ROOT, 'apps', 'cli', 'bin', 'dreamqueue.js');
const SWC = join(ROOT, 'tools', 'swc-register.js');

/**
 * The whole system for the CLI's tests, each part real: redis-server, the emulator (SageMaker + S3), and
 * the API and worker as their own processes started by their composition roots (`main.ts`, as
 * `npm start` runs them). The CLI itself is spawned by each test as the `dreamqueue` binary.
 */
export interface CliStack {
  url: string;
  apiKey: string;
  emulator: TestEmulator;
  /** A fresh folder (used as HOME and XDG_CONFIG_HOME of the CLI), removed on close. */
  home: string;
  close(): Promise<void>;
}

export async function startCliStack(workerEnv: Record<string, string> = {}): Promise<CliStack> {
  const redis: RedisServer = await startRedisServer();
  const emulator = await startTestEmulator({ perImageLatencyMs: 150 });
  const home = mkdtempSync(join(tmpdir(), 'dq-cli-'));
  const port = await freePort();
  const apiKey = `dq_${randomBytes(20).toString('hex')}`;
  const shared = {
    REDIS_URL: redis.url,
    QUEUE_PREFIX: '{cli}',
    LOG_LEVEL: 'warn',
    S3_ENDPOINT: emulator.s3Endpoint,
    SAGEMAKER_ENDPOINT: emulator.runtimeEndpoint,
    S3_BUCKET: emulator.bucket,
    TRAINING_ENDPOINT: emulator.trainingEndpoint,
    MME_ENDPOINT: emulator.mmeEndpoint,
    MME_PREFIX: emulator.mmePrefix,
  };
  const children: ChildProcess[] = [];
  const start = (name: string, entry: string, env: Record<string, string>) => {
    const child = spawn(process.execPath, ['-r', SWC, join(ROOT, entry)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', ...shared, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d.toString()}`));
    children.push(child);
  };
  start('worker', 'apps/worker/src/main.ts', {
    WORKER_HEALTH_PORT: String(await freePort()),
    TRAIN_POLL_INTERVAL: '100ms',
    TRAIN_POLL_MAX_INTERVAL: '300ms',
    TRAIN_WARM_RETRY_INTERVAL: '100ms',
    BATCH_PROGRESS_INTERVAL: '100ms',
    GENERATE_CONCURRENCY: '1',
    ...workerEnv,
  });
  start('api', 'apps/api/src/main.ts', { PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP_API_KEY: apiKey });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, children);
  return {
    url,
    apiKey,
    emulator,
    home,
    async close() {
      await Promise.all(children.map(stop));
      await emulator.close();
      await redis.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function waitForHealth(url: string, children: ChildProcess[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (children.some((c) => c.exitCode !== null)) throw new Error('the API or worker exited while starting');
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the API at ${url} did not come up`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await once(child, 'exit');
  clearTimeout(timer);
}
