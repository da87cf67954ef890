// One app's built main.js (apps/<app>/dist/main.js), or another script, as its own process, for runs that
// SIGKILL and restart processes (chaos) or measure a server apart from its load generator. stdout/stderr go to a log file; `ready` resolves when `probe()` first succeeds.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { root, sleep } = require('./generation-stack');

/** Starts `apps/<app>/dist/main.js` (or `script`) with `env` (added to PATH only: nothing else leaks in). */
async function startAppProcess({ name, app, script, nodeArgs = [], env, logDir, probe, timeoutMs = 60_000 }) {
  const log = fs.createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, [...nodeArgs, script ?? path.join(root, 'apps', app, 'dist', 'main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const deadline = Date.now() + timeoutMs;
  let up = false;
  while (!up && Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited before it was ready; see ${log.path}`);
    up = await probe().catch(() => false);
    if (!up) await sleep(200);
  }
  if (!up) throw new Error(`${name} did not become ready within ${timeoutMs / 1000} s; see ${log.path}`);
  return {
    name,
    pid: child.pid,
    exited,
    kill: (signal = 'SIGKILL') => {
      child.kill(signal);
      return exited;
    },
  };
}

module.exports = { startAppProcess };
