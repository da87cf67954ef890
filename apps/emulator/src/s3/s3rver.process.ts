import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { S3RVER_CHILD_SCRIPT } from './s3rver-child-script';

export interface S3rverProcess {
  /** Where s3rver itself listens (loopback, random port); clients use the proxy instead. */
  url: string;
  close(): Promise<void>;
}

/*
 * s3rver runs in a child node started with --openssl-legacy-provider, whatever flags this process has:
 * ListObjectsV2 pagination tokens use DES, which Node 17+ only offers with that flag. The child also keeps s3rver's winston exception handlers out of the host process. It exits when
 * this process goes away (the IPC channel closes), so a crashed host leaves no orphan.
 */
export async function startS3rver(directory: string, bucket: string): Promise<S3rverProcess> {
  mkdirSync(directory, { recursive: true });
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', S3RVER_CHILD_SCRIPT], {
    env: {
      ...process.env,
      S3RVER_MODULE: require.resolve('s3rver'),
      S3RVER_DIR: directory,
      S3RVER_BUCKET: bucket,
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await waitForPort(child);
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function waitForPort(child: ChildProcess): Promise<number> {
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    child.once('message', (msg: { port?: number; error?: string }) => {
      if (msg.port) resolve(msg.port);
      else reject(new Error(`s3rver failed to start: ${msg.error ?? 'unknown'}`));
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening: ${stderr}`)));
  });
}
