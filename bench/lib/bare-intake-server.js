// The baseline of the intake benchmark: a bare Express 5 server that validates a generation request with the
// same zod schema as the API and adds one job to a BullMQ queue with `queue.add`, nothing else (no auth, no
// record, no event, no logging). Run as its own process: BARE_INTAKE = {redisUrl, prefix, port}.
'use strict';
const path = require('node:path');
const express = require('express');

const root = path.resolve(__dirname, '..', '..');
const { GenerationRequest, PRIORITY, createQueue, generateQueue, newId } = require(
  path.join(root, 'libs/contracts/dist/index.js'),
);

async function main() {
  const env = JSON.parse(process.env.BARE_INTAKE ?? '{}');
  const queue = createQueue(generateQueue, {
    connection: { url: env.redisUrl, enableOfflineQueue: false },
    prefix: env.prefix,
  });
  queue.on('error', (err) => console.error('queue error', err.message));
  await queue.waitUntilReady();

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => res.json({ ok: true }));
  app.post('/v1/generations', express.json({ limit: '64kb' }), async (req, res) => {
    const parsed = GenerationRequest.safeParse(req.body);
    if (!parsed.success) return res.status(400).json({ error: { code: 'invalid_request' } });
    const request = parsed.data;
    const id = newId('generation');
    const seed = request.seed ?? Math.floor(Math.random() * 2 ** 32);
    // The same job data as the API's: one item per image.
    const items = Array.from({ length: request.numImages }, (_, index) => ({
      index,
      prompt: request.prompt,
      negativePrompt: request.negativePrompt,
      seed: seed + index,
    }));
    const job = {
      tenantId: 'bare',
      modelId: request.model,
      generationId: id,
      items,
      steps: request.steps,
      guidance: request.guidance,
    };
    try {
      await queue.add('generate', job, { jobId: id, priority: PRIORITY.interactive });
    } catch {
      return res.status(503).json({ error: { code: 'redis_unavailable' } });
    }
    res.status(202).json({ id, object: 'generation', status: 'queued' });
  });
  const server = app.listen(env.port, '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    void queue.close().then(() => process.exit(0));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
