#!/usr/bin/env node
// Every configuration variable an app validates at start-up must be listed in the README's configuration
// section, so operators never have to read source to configure dreamqueue.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const sources = [
  'libs/config/src/common-env.ts',
  'apps/api/src/config.ts',
  'apps/worker/src/config.ts',
  'apps/emulator/src/config.ts',
];
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

const variables = new Set();
for (const file of sources) {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  for (const match of text.matchAll(/^\s{2}([A-Z][A-Z0-9_]{2,}):/gm)) variables.add(match[1]);
}
const missing = [...variables].filter((name) => !readme.includes(`\`${name}\``));
if (missing.length > 0) {
  console.error(`check-config-docs: ${missing.length} variable(s) missing from README.md: ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`check-config-docs: all ${variables.size} configuration variables are documented`);
