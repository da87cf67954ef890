import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { readZip } from '../fixtures/read-zip';
import { photoSet, solidPhoto } from '../fixtures/training-photos';
import { CHROMIUM_ARGS, chromiumPath, REPO_ROOT } from './chromium';
import { startStudioStack, type StudioStack } from './studio-stack';

const OUTPUT = join(REPO_ROOT, 'test-output');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 740 };

const asFiles = (photos: Buffer[]) =>
  photos.map((buffer, i) => ({ name: `selfie-${i + 1}.jpg`, mimeType: 'image/jpeg', buffer }));

type PageImage = { complete: boolean; naturalWidth: number };
type PageDocument = { querySelectorAll(selector: string): ArrayLike<PageImage> };

/**
 * Every <img> matched has loaded and decoded to real pixels. A function, not a string: the studio's CSP
 * (no 'unsafe-eval') would refuse a string predicate, as it should.
 */
async function expectImagesRendered(page: Page, selector: string, count: number) {
  await page.waitForFunction(
    ({ selector, count }) => {
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      const images = Array.from(doc.querySelectorAll(selector));
      return images.length === count && images.every((img) => img.complete && img.naturalWidth > 0);
    },
    { selector, count },
    { timeout: 30_000 },
  );
}

type PageDataTransfer = { items: { add(file: unknown): void } };

/** Drops files on an element the way a user's drag and drop does (a DataTransfer on a `drop` event). */
async function dropFiles(page: Page, selector: string, files: { name: string; mimeType: string; buffer: Buffer }[]) {
  const encoded = files.map((f) => ({ name: f.name, type: f.mimeType, base64: f.buffer.toString('base64') }));
  const dataTransfer = await page.evaluateHandle((list) => {
    const g = globalThis as unknown as { DataTransfer: new () => PageDataTransfer };
    const transfer = new g.DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], f.name, { type: f.type }));
    }
    return transfer;
  }, encoded);
  await page.dispatchEvent(selector, 'dragover', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

const storedKey = (page: Page) => page.evaluate('sessionStorage.getItem("dreamqueue.apiKey")');

describe('the web studio in a real browser, against the whole stack on the emulator', () => {
  let stack: StudioStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: join(OUTPUT, name), fullPage: true });

  beforeAll(async () => {
    const executablePath = chromiumPath();
    mkdirSync(OUTPUT, { recursive: true });
    stack = await startStudioStack();
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
    page = await context.newPage();
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await stack?.close();
  });

  it('serves the studio at / and still answers JSON 404s for unknown /v1 routes', async () => {
    const home = await fetch(`${stack.baseUrl}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toContain('text/html');
    expect(home.headers.get('cache-control')).toBe('no-cache');
    const html = await home.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${stack.baseUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    await asset.arrayBuffer();
    // Nothing from another origin: every script and stylesheet is the API's own.
    expect(html).not.toMatch(/(src|href)="https?:/);
    const unknown = await fetch(`${stack.baseUrl}/v1/nothing-here`, {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
  });

  it('refuses a wrong key in plain words, then signs in with the printed key (kept for the tab only)', async () => {
    await page.goto(stack.baseUrl);
    await page.getByLabel('API key').fill(`dq_${'x'.repeat(40)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That API key was not accepted').waitFor();
    await shot('studio-sign-in-refused.png');

    await page.getByLabel('API key').fill(stack.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No models yet.').waitFor();
    expect(page.url()).not.toContain(stack.apiKey);
    expect(await storedKey(page)).toBe(stack.apiKey);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    expect((await context.cookies()).length).toBe(0);
    await page.getByText('live', { exact: true }).waitFor();
    await shot('studio-models-empty.png');
  });

  it('shows the API’s reason next to each dropped photo: 9 photos, one too small, one twice', async () => {
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    const photos = await photoSet(7);
    await dropFiles(page, '.drop-zone', asFiles([...photos, await solidPhoto(8, { size: 100 }), photos[0]!]));
    await page.getByLabel('Name').fill('Too few');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page
      .getByText(
        'A model needs 10 to 15 photos of the same person. You sent 9. 2 photos are also marked below: replace them.',
      )
      .waitFor();
    const small = page.locator('[data-photo-index="7"] .photo-problem');
    await small.waitFor();
    expect(await small.textContent()).toBe('100×100 is smaller than 256×256.');
    expect(await page.locator('[data-photo-index="8"] .photo-problem').textContent()).toContain(
      'duplicate of photo #1',
    );
    expect(await page.locator('.photo-problem').count()).toBe(2);
    await shot('studio-train-9-photos.png');
    await page.setViewportSize(PHONE);
    await shot('studio-train-9-photos-360px.png');
    await page.setViewportSize(DESKTOP);
  });

  it('trains a model from 12 photos and follows it live to ready', async () => {
    // Start again from a clean set: remove the 9 photos.
    for (let i = 9; i > 0; i--) await page.getByRole('button', { name: `Remove photo ${i}` }).click();
    await page.setInputFiles('#photo-input', asFiles(await photoSet(12)));
    await page.getByLabel('Name').fill('Ada');
    await page.getByText('Advanced training settings').click();
    await page.getByLabel('Training steps').fill('800');
    await page.getByRole('button', { name: 'Start training' }).click();
    const card = page.locator('.training');
    await card.waitFor();
    await card.locator('.badge', { hasText: 'training' }).waitFor({ timeout: 30_000 });
    await shot('studio-train-progress.png');
    await card.locator('.badge', { hasText: 'ready' }).waitFor({ timeout: 60_000 });
    expect(await card.locator('.stage-done').count()).toBe(5);
    await shot('studio-train-ready.png');
  }, 90_000);

  it('generates 4 images and renders them with their reproduction records', async () => {
    await page.getByRole('button', { name: 'Generate with this model' }).click();
    await page.getByLabel('Prompt', { exact: true }).fill('{trigger} as an astronaut, studio light');
    await page.getByLabel('Images', { exact: true }).selectOption('4');
    await page.getByLabel('Fixed').check();
    await page.getByLabel('Seed value').fill('42');
    // Held in the queue first, so its queued state (position, ETA) shows; then let it run.
    await stack.pauseGenerations();
    await page.getByRole('button', { name: 'Generate images' }).click();
    const card = page.locator('.generation').first();
    try {
      await card.locator('.badge', { hasText: 'queued' }).waitFor();
      await card.getByText(/position 1 in the queue, starts in about \d+ s/).waitFor();
      await shot('studio-generate-queued.png');
    } finally {
      await stack.resumeGenerations();
    }
    await card.locator('.badge', { hasText: 'succeeded' }).waitFor({ timeout: 45_000 });
    await expectImagesRendered(page, '.generation .gallery img', 4);
    const records = await card.locator('.record').allTextContents();
    expect(records).toHaveLength(4);
    expect(records.map((r) => /Seed(\d+)/.exec(r)![1])).toEqual(['42', '43', '44', '45']);
    expect(records[0]).toContain('as an astronaut, studio light');
    expect(records[0]).not.toContain('{trigger}');
    await shot('studio-generate-gallery.png');

    // "Use these settings again" on the third image: its seed, one image, the prompt back with {trigger}.
    await card.getByRole('button', { name: 'Use these settings again' }).nth(3).click();
    expect(await page.getByLabel('Seed value').inputValue()).toBe('44');
    expect(await page.getByLabel('Images', { exact: true }).inputValue()).toBe('1');
    expect(await page.getByLabel('Prompt', { exact: true }).inputValue()).toBe(
      '{trigger} as an astronaut, studio light',
    );
    await page.setViewportSize(PHONE);
    // What a phone shows first: the form (the gallery follows below it).
    await page.screenshot({ path: join(OUTPUT, 'studio-generate-360px.png') });
    await page.setViewportSize(DESKTOP);
  }, 60_000);

  it('runs a 20-prompt batch from a file and downloads its results and images', async () => {
    await page.getByRole('button', { name: 'Batches', exact: true }).click();
    const prompts = Array.from({ length: 20 }, (_, i) => `{trigger} as character ${i + 1}, watercolor`).join('\n');
    await page.setInputFiles('#prompts-file', {
      name: 'prompts.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(prompts + '\n'),
    });
    await page.locator('.prompt-preview', { hasText: 'prompts.txt' }).waitFor();
    expect(await page.locator('.prompt-preview p').textContent()).toBe('20 prompts in prompts.txt (one per line)');
    await page.getByRole('button', { name: 'Start batch of 20' }).click();
    const card = page.locator('.batch').first();
    await card.locator('.badge', { hasText: 'completed' }).waitFor({ timeout: 60_000 });
    expect(await card.locator('.meta').textContent()).toContain('20 of 20 done (100%) · 20 succeeded · 0 failed');
    expect(await card.locator('.meta').textContent()).toMatch(/ · used [\d.,]+ GPU-seconds$/);

    const [manifest] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: 'Download results (NDJSON)' }).click(),
    ]);
    expect(manifest.suggestedFilename()).toMatch(/^bat_.+-results\.ndjson$/);
    const lines = readFileSync(await manifest.path())
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { index: number; status: string; url?: string });
    expect(lines).toHaveLength(20);
    expect(lines.every((l) => l.status === 'succeeded' && l.url)).toBe(true);
    await expectImagesRendered(page, '.batch .thumbs img', 20);

    const [zip] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('button', { name: 'Download 20 images (.zip)' }).click(),
    ]);
    const names = [...readZip(readFileSync(await zip.path())).keys()];
    expect(names).toContain('results.ndjson');
    expect(names.filter((n) => /^images\/\d{6}-seed\d+\.jpg$/.test(n))).toHaveLength(20);
    await shot('studio-batch-done.png');
  }, 90_000);

  it('lists the model with its status, trigger phrase and age; signing out forgets the key', async () => {
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    const model = page.locator('.model', { hasText: 'Ada' });
    await model.locator('.badge', { hasText: 'ready' }).waitFor();
    expect(await model.locator('.trigger').textContent()).toMatch(/photo of <<[a-z]+>> person/);
    expect(await model.locator('.meta').textContent()).toContain('just now');
    await shot('studio-models.png');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await storedKey(page)).toBeNull();
  });
});
