// The emulator in a process of its own, for benchmarks that measure the endpoint's time: its latency timers
// then fire on an event loop that the worker and the API under test do not share (a real endpoint is another
// machine). Options come as JSON in argv[2]; the endpoints go back to the parent over IPC.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

async function main() {
  const { startEmulator } = require(path.join(root, 'apps/emulator/dist/index.js'));
  const { createLogger } = require(path.join(root, 'libs/logger/dist/index.js'));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dq-bench-emulator-'));
  const options = JSON.parse(process.argv[2] ?? '{}');
  const emulator = await startEmulator({
    dataDir,
    logger: createLogger({ name: 'emulator', level: 'silent' }),
    ...options,
  });
  const stop = async () => {
    await emulator.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('message', (m) => m === 'close' && void stop());
  process.on('disconnect', () => void stop());
  const { s3Endpoint, runtimeEndpoint, bucket, mmeEndpoint, mmePrefix, trainingEndpoint } = emulator;
  process.send({ s3Endpoint, runtimeEndpoint, bucket, mmeEndpoint, mmePrefix, trainingEndpoint });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
