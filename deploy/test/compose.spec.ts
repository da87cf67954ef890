import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// docker-compose.yml is validated by `docker-compose config -q` in CI; this guards what the validator
// cannot know: Redis must never evict and must persist (no YAML parser is installed, so plain text).
const compose = readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8');

/** The lines of one top-level service, up to the next service or top-level key. */
function serviceBlock(name: string): string {
  const lines = compose.split('\n');
  const start = lines.indexOf(`  ${name}:`);
  expect(start).toBeGreaterThan(-1);
  const end = lines.findIndex((line, i) => i > start && /^ {0,2}\S/.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

describe('docker-compose.yml', () => {
  it('starts Redis with noeviction and AOF (appendonly yes, fsync every second)', () => {
    const command = /^\s+command: (.+)$/m.exec(serviceBlock('redis'))?.[1] ?? '';
    expect(command).toContain('--maxmemory-policy noeviction');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--appendfsync everysec');
  });

  it('keeps the Redis data on a volume', () => {
    expect(serviceBlock('redis')).toMatch(/volumes:\n\s+- redis-data:\/data/);
  });

  it('avoids the keys compose v1 rejects', () => {
    const yaml = compose.replace(/^\s*#.*$/gm, '');
    expect(yaml).not.toMatch(/^name:/m);
    expect(yaml).not.toContain('start_interval');
    expect(yaml).not.toMatch(/^\s+required:/m);
    expect(yaml).not.toMatch(/^\s+develop:/m);
  });

  it('runs the emulator with the legacy OpenSSL provider that s3rver needs', () => {
    expect(serviceBlock('emulator')).toMatch(
      /["']--openssl-legacy-provider["'],\s*["']apps\/emulator\/dist\/main\.js["']/,
    );
  });
});
