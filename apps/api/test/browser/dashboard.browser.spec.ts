import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { type Server } from 'node:http';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { chromium, type Browser } from 'playwright-core';
import { startOperationsHarness, type OperationsHarness } from '../admin-harness';
import { CHROMIUM_ARGS, chromiumPath, REPO_ROOT } from './chromium';

const OUTPUT = join(REPO_ROOT, 'test-output');

describe('Bull Board in a real browser (Chromium driven by playwright-core)', () => {
  let h: OperationsHarness;
  let server: Server;
  let browser: Browser | undefined;
  let base: string;

  beforeAll(async () => {
    const executablePath = chromiumPath();
    h = await startOperationsHarness();
    server = h.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    // beforeAll may have failed part-way (no Chromium, no Redis): close only what it started.
    await browser?.close();
    if (server) await new Promise<void>((r) => server.close(() => r()));
    await h?.close();
  });

  it('O1/O5: an operator logs in, sees every queue and opens a failed job, redacted and linked to its generation', async () => {
    const generate = h.queues.find((q) => q.name === 'generate')!;
    const failing = await generate.add(
      'generate',
      {
        tenantId: 'acme',
        modelId: 'mdl_board',
        generationId: 'gen_board',
        items: [{ index: 0, prompt: 'a portrait', negativePrompt: '', seed: 7 }],
        steps: 30,
        guidance: 7,
      } as never,
      { attempts: 1 },
    );
    const worker = new Worker(
      'generate',
      async () => {
        throw new Error('image upload to https://bucket.s3.amazonaws.com/t/acme/0.jpg?X-Amz-Signature=abc123 failed');
      },
      { connection: { url: h.redisServer.url }, prefix: h.keySpace.queuePrefix },
    );
    await new Promise((r) => worker.once('failed', r));
    await worker.close();
    await h.queues.find((q) => q.name === 'train')!.add('train', { tenantId: 'acme', modelId: 'mdl_board' } as never);

    const operatorKey = await h.keyFor('ops', 'operator');
    const context = await browser!.newContext({
      httpCredentials: { username: 'operator', password: operatorKey },
      viewport: { width: 1400, height: 1000 },
    });
    try {
      const page = await context.newPage();
      const landing = await page.goto(`${base}/admin/queues`);
      expect(landing?.status()).toBe(200);
      for (const queue of ['train', 'generate', 'webhooks'])
        await page.getByText(queue, { exact: true }).first().waitFor({ timeout: 15_000 });

      await page.goto(`${base}/admin/queues/queue/generate/${failing.id}`);
      await page.getByText('gen_board').first().waitFor({ timeout: 15_000 });
      // The Error tab (open by default) renders the failure reason, its presigned URL masked.
      await page.getByText('?[redacted] failed').first().waitFor({ timeout: 15_000 });
      const content = await page.content();
      expect(content).not.toContain('X-Amz-Signature=abc123');
      expect(await page.locator('a[href="/v1/generations/gen_board"]').count()).toBeGreaterThan(0);

      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, 'dashboard-failed-job.png'), fullPage: true });
    } finally {
      await context.close();
    }

    // A tenant key gets no dashboard at all.
    const tenantContext = await browser!.newContext({
      httpCredentials: { username: 'acme', password: await h.keyFor('acme') },
    });
    try {
      const denied = await (await tenantContext.newPage()).goto(`${base}/admin/queues`);
      expect(denied?.status()).toBe(403);
    } finally {
      await tenantContext.close();
    }
  });
});
