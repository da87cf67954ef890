// Runs wrk (the HTTP load generator, Debian package `wrk`) with a request script and reads its report.
'use strict';
const { execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** Stops with what to install when wrk is not on PATH. */
function requireWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    // wrk --version prints its banner and exits 1; only a missing binary is an error here.
    if (err.code !== 'ENOENT') return;
    throw new Error('wrk is not installed: apt-get install wrk (Debian/Ubuntu), then run this again');
  }
}

/** A wrk Lua script that sends one fixed POST. */
function writePostScript(dir, { body, headers }) {
  const file = path.join(dir, 'post.lua');
  const lines = ['wrk.method = "POST"', `wrk.body = ${JSON.stringify(body)}`];
  for (const [name, value] of Object.entries(headers))
    lines.push(`wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function parseWrk(output) {
  const number = (re) => {
    const match = re.exec(output);
    return match ? Number(match[1]) : 0;
  };
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond: number(/^Requests\/sec:\s+([\d.]+)/m),
    requests: number(/^\s*(\d+) requests in/m),
    p99Ms: p99 ? Number(p99[1]) * UNIT_MS[p99[2]] : NaN,
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

/** One wrk run; resolves its parsed report (and the raw text). */
function runWrk({ url, script, connections, threads, durationSeconds }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${durationSeconds}s`, '--latency', '-s', script, url];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}\n${stderr}`));
      resolve({ ...parseWrk(stdout), raw: stdout });
    });
  });
}

module.exports = { parseWrk, requireWrk, runWrk, writePostScript };
