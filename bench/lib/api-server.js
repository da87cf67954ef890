// A child process running only the API (built dist), so a benchmark can measure its latency and memory
// apart from the load generator. Parent → child IPC: {cmd:'report'} → {maxRssMB, rssMB, heapUsedMB}.
'use strict';
const s = require('./generation-stack');

async function main() {
  const env = JSON.parse(process.env.BENCH_API ?? '{}');
  const emulator = {
    bucket: env.bucket,
    mmePrefix: env.mmePrefix,
    s3Endpoint: env.s3Endpoint,
    runtimeEndpoint: env.s3Endpoint,
  };
  const { s3 } = s.awsClients(emulator);
  const api = await s.buildApi({ redisUrl: env.redisUrl, prefix: env.prefix, emulator, s3 });
  const server = await s.listen(api.app);
  const key = await api.keyFor('bench');
  process.on('message', (msg) => {
    if (msg.cmd === 'report') {
      const mem = process.memoryUsage();
      process.send({
        maxRssMB: process.resourceUsage().maxRSS / 1024,
        rssMB: mem.rss / 2 ** 20,
        heapUsedMB: mem.heapUsed / 2 ** 20,
      });
    }
    if (msg.cmd === 'stop')
      void server
        .close()
        .then(() => api.close())
        .then(() => process.exit(0));
  });
  process.send({ ready: true, base: server.base, key });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
