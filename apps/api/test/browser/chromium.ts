import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../../..');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's chromium. Missing is a failure, not a skip: CI installs it (`apt-get install -y chromium`). */
export function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' })
      .trim()
      .split('\n')[0]!;
  } catch {
    throw new Error('Chromium is not installed: run `apt-get install -y chromium` (the browser tests need it).');
  }
}
