#!/usr/bin/env node
// `npm start`: the whole system on its embedded default, for a laptop or a demo.
//   Redis     a private redis-server (noeviction, AOF) under .data/redis, unless REDIS_URL is given
//   emulator  the local SageMaker Runtime + S3 (apps/emulator), unless SAGEMAKER_ENDPOINT is given
//   api       apps/api on PORT (default 3000), with Bull Board at /admin/queues
//   worker    apps/worker
// Ctrl-C stops intake first, lets the worker finish or hand back its jobs, then stops the emulator and
// Redis (which writes its AOF), so nothing accepted is lost.
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dataDir = path.resolve(root, process.env.DREAMQUEUE_DATA_DIR ?? '.data');
const children = [];
let stopping = false;

function log(line) {
  process.stdout.write(`[dreamqueue] ${line}\n`);
}

function fail(message) {
  process.stderr.write(`[dreamqueue] ${message}\n`);
  process.exit(1);
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function waitFor(description, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${description} did not come up within ${timeoutMs / 1000} s`);
}

function ensureRedisServerBinary() {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (isRoot && hasApt) {
    log('redis-server is missing: installing it from the OS packages (apt-get install redis-server)…');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return 'redis-server';
  }
  fail(
    'redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis)\n' +
      'or point dreamqueue at an existing Redis with REDIS_URL=redis://host:port (it must use maxmemory-policy noeviction).',
  );
}

function run(name, command, args, env) {
  // Own process group: a terminal's Ctrl-C reaches only this launcher, which then stops children in order.
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const logFile = fs.createWriteStream(path.join(dataDir, 'logs', `${name}.log`), { flags: 'a' });
  child.stdout.pipe(logFile);
  child.stderr.pipe(logFile);
  child.stderr.on('data', (d) => {
    if (name !== 'redis') process.stderr.write(`[${name}] ${d}`);
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited unexpectedly (${signal ?? code}); see ${path.relative(root, logFile.path)}. Stopping.`);
      void shutdown(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function startRedis() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, external: true };
  const binary = ensureRedisServerBinary();
  let port = Number(process.env.REDIS_PORT ?? 6390);
  if (!(await portFree(port))) {
    const alt = await new Promise((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = s.address().port;
        s.close(() => r(p));
      });
    });
    log(`port ${port} is taken; starting Redis on ${alt} instead`);
    port = alt;
  }
  const dir = path.join(dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  run('redis', binary, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
  ]);
  await waitFor(
    'Redis',
    () =>
      new Promise((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => socket.write('PING\r\n'));
        socket.once('data', (d) => {
          socket.destroy();
          resolve(String(d).startsWith('+PONG'));
        });
        socket.once('error', () => resolve(false));
      }),
  );
  return { url: `redis://127.0.0.1:${port}`, external: false };
}

function localApiKey() {
  if (process.env.DREAMQUEUE_API_KEY) return process.env.DREAMQUEUE_API_KEY;
  const file = path.join(dataDir, 'local-api-key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let key = 'dq_';
  while (key.length < 43) {
    const byte = crypto.randomBytes(1)[0];
    if (byte < 248) key += alphabet[byte % 62];
  }
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** A busy port usually means another dreamqueue is running: say so before starting anything. */
async function assertPortsFree(ports) {
  for (const [variable, port] of ports) {
    if (!(await portFree(Number(port)))) {
      fail(
        `port ${port} is already in use (another dreamqueue running?). Stop it, or choose another port with ${variable}=…`,
      );
    }
  }
}

async function main() {
  fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  const local = !process.env.SAGEMAKER_ENDPOINT;
  await assertPortsFree([
    ['PORT', process.env.PORT ?? '3000'],
    ['WORKER_HEALTH_PORT', process.env.WORKER_HEALTH_PORT ?? '3001'],
    ...(local
      ? [
          ['EMULATOR_S3_PORT', process.env.EMULATOR_S3_PORT ?? '4568'],
          ['EMULATOR_SAGEMAKER_PORT', process.env.EMULATOR_SAGEMAKER_PORT ?? '4569'],
        ]
      : []),
  ]);
  const redis = await startRedis();

  const s3Port = process.env.EMULATOR_S3_PORT ?? '4568';
  const sageMakerPort = process.env.EMULATOR_SAGEMAKER_PORT ?? '4569';
  const shared = {
    REDIS_URL: redis.url,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    S3_BUCKET: process.env.S3_BUCKET ?? 'dreamqueue',
    TRAINING_ENDPOINT: process.env.TRAINING_ENDPOINT ?? 'dreamqueue-training',
    MME_ENDPOINT: process.env.MME_ENDPOINT ?? 'dreamqueue-mme',
    ...(local && {
      S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      SAGEMAKER_ENDPOINT: `http://127.0.0.1:${sageMakerPort}`,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      NODE_NO_WARNINGS: '1',
    }),
  };

  if (local) {
    // A 25-minute training passes in about 20 s locally (EMULATOR_TIME_SCALE real seconds per emulated second).
    run('emulator', process.execPath, ['--openssl-legacy-provider', 'apps/emulator/dist/main.js'], {
      ...shared,
      EMULATOR_S3_PORT: s3Port,
      EMULATOR_SAGEMAKER_PORT: sageMakerPort,
      EMULATOR_DATA_DIR: path.join(dataDir, 'emulator'),
      EMULATOR_TIME_SCALE: process.env.EMULATOR_TIME_SCALE ?? '0.0133',
      // Completion notifications (SNS-style) make the worker check a finished training at once.
      EMULATOR_NOTIFY_URL:
        process.env.EMULATOR_NOTIFY_URL ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}/v1/notifications/sns`,
    });
    await waitFor('the emulator', async () => (await fetch(`http://127.0.0.1:${sageMakerPort}/_emulator/stats`)).ok);
  }

  const apiKey = localApiKey();
  const port = process.env.PORT ?? '3000';
  // Local development only: emulated time is compressed, so check sooner; webhooks may use http. A receiver on
  // this machine must be allow-listed by host:port (WEBHOOK_ALLOW_HOSTS=127.0.0.1:4000), never all of loopback.
  const localWorker = local
    ? {
        TRAIN_POLL_INTERVAL: '5s',
        TRAIN_WARM_RETRY_INTERVAL: '2s',
        GENERATE_COLD_RETRY_DELAY: '1s',
        WEBHOOK_ALLOW_HTTP: 'true',
      }
    : {};
  const localApi = local ? { WEBHOOK_ALLOW_HTTP: 'true' } : {};
  run('worker', process.execPath, ['apps/worker/dist/main.js'], {
    ...shared,
    ...localWorker,
    ...withoutOverrides(localWorker),
    WORKER_HEALTH_PORT: process.env.WORKER_HEALTH_PORT ?? '3001',
  });
  run('api', process.execPath, ['apps/api/dist/main.js'], {
    ...shared,
    ...localApi,
    ...withoutOverrides(localApi),
    PORT: port,
    BOOTSTRAP_API_KEY: apiKey,
    BOOTSTRAP_TENANT: 'local',
  });
  await waitFor('the API', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 90_000);

  const lines = [
    '',
    'dreamqueue is running. Ctrl-C stops everything gracefully.',
    '',
    `  Studio        http://127.0.0.1:${port}        (open it in a browser; sign in with the API key below)`,
    `  API           http://127.0.0.1:${port}/v1     (health: /healthz, readiness: /readyz)`,
    `  Dashboard     http://127.0.0.1:${port}/admin/queues   (user: anything, password: the API key)`,
    `  Redis         ${redis.url}${redis.external ? ' (external)' : ` (data in ${path.relative(root, path.join(dataDir, 'redis'))})`}`,
    ...(local
      ? [
          `  S3 (emulator)         http://127.0.0.1:${s3Port}   bucket: ${shared.S3_BUCKET}`,
          `  SageMaker (emulator)  http://127.0.0.1:${sageMakerPort}   endpoints: ${shared.TRAINING_ENDPOINT} (async), ${shared.MME_ENDPOINT} (multi-model)`,
        ]
      : [`  SageMaker     ${process.env.SAGEMAKER_ENDPOINT ?? 'AWS'}`]),
    `  Logs          ${path.relative(root, path.join(dataDir, 'logs'))}/`,
    '',
    `  API key (tenant "local", role admin):  ${apiKey}`,
    '',
    `  export DQ_KEY=${apiKey}`,
    `  curl -H "Authorization: Bearer $DQ_KEY" http://127.0.0.1:${port}/v1/models`,
    `  REDIS_URL=${redis.url} npm run keys -- list`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** The user's own environment wins over the launcher's local defaults. */
function withoutOverrides(defaults) {
  return Object.fromEntries(
    Object.keys(defaults)
      .filter((k) => process.env[k] !== undefined)
      .map((k) => [k, process.env[k]]),
  );
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  log('stopping: API first, then the worker (finishing active jobs), then the emulator and Redis…');
  for (const name of ['api', 'worker', 'emulator', 'redis']) {
    const entry = children.find((c) => c.name === name);
    if (!entry || entry.child.exitCode !== null || entry.child.signalCode !== null) continue;
    const exited = new Promise((resolve) => entry.child.once('exit', resolve));
    entry.child.kill('SIGTERM');
    const timer = setTimeout(() => entry.child.kill('SIGKILL'), name === 'worker' ? 90_000 : 15_000);
    await exited;
    clearTimeout(timer);
  }
  log('stopped.');
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((err) => {
  process.stderr.write(`[dreamqueue] ${err.message}\n`);
  void shutdown(1);
});
