#!/usr/bin/env node
// The `dreamqueue` command. Runs the built CLI (dist/, made by `npm start`, `npm run build` or the CLI's
// tests); in a fresh clone where nothing is built yet, it runs the TypeScript sources directly through the
// repository's swc loader (a dev dependency), so `npx dreamqueue …` works right after `npm ci`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const built = path.join(root, 'dist', 'main.js');
const loader = path.join(root, '..', '..', 'tools', 'swc-register.js');

// `dreamqueue models | head`: the reader went away; stop quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });

let entry;
if (fs.existsSync(built)) {
  entry = built;
} else if (fs.existsSync(loader)) {
  require(loader);
  entry = path.join(root, 'src', 'main.ts');
} else {
  process.stderr.write('dreamqueue: the CLI is not built. Run `npm run build` in the repository first.\n');
  process.exit(70);
}
require(entry)
  .cli(process.argv)
  .then((code) => {
    process.exitCode = code;
    // Everything is closed by now; should a socket linger, it must not keep a finished command alive.
    setTimeout(() => process.exit(code), 1000).unref();
  });
