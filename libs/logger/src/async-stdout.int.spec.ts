// Runs a real child process: what an asynchronous stdout logger still holds when the process exits must
// reach stdout, line for line.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('createLogger with asyncStdout', () => {
  it('writes every line logged before process.exit, in order', async () => {
    const logger = path.join(__dirname, 'create-logger.ts');
    const program = `
      const { createLogger } = require(${JSON.stringify(logger)});
      const log = createLogger({ name: 't', asyncStdout: true });
      for (let i = 0; i < 2000; i++) log.info({ i }, 'line');
      process.exit(0);
    `;
    const { stdout } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', program], {
      maxBuffer: 16 * 1024 * 1024,
      env: {
        ...process.env,
        TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: 'commonjs', moduleResolution: 'node' }),
      },
    });
    const lines = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { i: number; service: string });
    expect(lines.map((l) => l.i)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(lines[0]!.service).toBe('t');
  }, 30_000);
});
