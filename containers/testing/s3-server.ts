/**
 * A real S3-compatible server for the Python tests: the emulator's s3rver (same process and patches the
 * emulator runs), with one bucket. Prints `{"url": …}` on one line when listening; stops when stdin closes.
 *   node -r ./tools/swc-register.js containers/testing/s3-server.ts DATA_DIR BUCKET
 */
import { startS3rver } from '../../apps/emulator/src/s3/s3rver.process';

async function main(directory: string, bucket: string): Promise<void> {
  const server = await startS3rver(directory, bucket);
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}

const [directory, bucket] = process.argv.slice(2);
main(directory, bucket).catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
