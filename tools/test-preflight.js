#!/usr/bin/env node
// First step of `npm test`: the suites need a real redis-server and a real Chromium (never mocked, never
// skipped). Like `npm start`, a fresh Debian/Ubuntu machine run as root gets them from the OS packages;
// anywhere else the run stops here, before any test, saying what to install.
const { execFileSync, spawnSync } = require('node:child_process');

/** What the suites run, and the Debian package that provides it. */
const TOOLS = [
  { what: 'redis-server', commands: ['redis-server'], debian: 'redis-server', other: 'macOS: brew install redis' },
  {
    what: 'Chromium (the browser tests)',
    commands: ['chromium', 'chromium-browser'],
    debian: 'chromium',
    other: 'macOS: brew install --cask chromium',
  },
];

const found = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
const missing = () => TOOLS.filter((tool) => !tool.commands.some(found));

function main() {
  let absent = missing();
  if (absent.length === 0) return;
  const packages = absent.map((tool) => tool.debian);
  const isRoot = process.getuid?.() === 0;
  if (isRoot && found('apt-get')) {
    console.log(`test-preflight: installing ${packages.join(', ')} from the OS packages (apt-get)…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
      stdio: 'inherit',
      env,
    });
    absent = missing();
    if (absent.length === 0) return;
  }
  console.error(
    [
      `test-preflight: the tests need ${absent.map((tool) => tool.what).join(' and ')}, which ${absent.length > 1 ? 'are' : 'is'} not on PATH.`,
      `  Debian/Ubuntu: sudo apt-get install -y ${absent.map((tool) => tool.debian).join(' ')}`,
      ...absent.map((tool) => `  ${tool.other}`),
      'No test was run.',
    ].join('\n'),
  );
  process.exit(1);
}

main();
