'use strict';
const { fork } = require('node:child_process');
const path = require('node:path');

/** Forks bench/lib/api-server.js; resolves {base, key, report(), stop()}. */
function startApiChild(config) {
  const child = fork(path.join(__dirname, 'api-server.js'), [], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', BENCH_API: JSON.stringify(config) },
  });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  return next().then(({ base, key }) => ({
    base,
    key,
    pid: child.pid,
    report: () => {
      const reply = next();
      child.send({ cmd: 'report' });
      return reply;
    },
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.send({ cmd: 'stop' });
      }),
  }));
}

/** Registers a ready model through an in-process API, then serves the API from its own process. */
async function startApiChildWithModel({ redisUrl, prefix, emulator, tenantId, modelId }) {
  const s = require('./generation-stack');
  const api = await s.buildApi({ redisUrl, prefix, emulator, s3: s.awsClients(emulator).s3 });
  await api.registerModel(tenantId, modelId, [[1, 2, 3]]);
  await api.close();
  return startApiChild({
    redisUrl,
    prefix,
    bucket: emulator.bucket,
    mmePrefix: emulator.mmePrefix,
    s3Endpoint: emulator.s3Endpoint,
  });
}

module.exports = { startApiChild, startApiChildWithModel };
