import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import sharp from 'sharp';
import { startStudioStack, type StudioStack } from './browser/studio-stack';
import { photoSet } from './fixtures/training-photos';

/**
 * The whole stack on the real SageMaker-side code: redis-server, the emulator with EMULATOR_BACKEND=containers
 * (the DJL training handler and the Triton backends on a tiny Stable Diffusion, in the repository's .venv),
 * the API's main() and every worker processor (the studio stack). Photos in → model ready → a 3-image generation and a
 * 10-item batch out, every image a JPEG decoded from S3 through its presigned URL, and none of them the
 * emulator's synthetic palette grid. The emulator caps the trainer at a few steps so this fits CI on 2 cores.
 */
const MINUTE = 60_000;
jest.setTimeout(20 * MINUTE);

describe('the stack on the containers code (EMULATOR_BACKEND=containers)', () => {
  let stack: StudioStack;
  beforeAll(async () => {
    // The .venv the containers' tests use (idempotent; fast once its lock stamp matches).
    execFileSync('bash', [join(__dirname, '..', '..', '..', 'containers', 'tools', 'python-env.sh')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    stack = await startStudioStack({
      // Real compute takes real time: no time scale; the trainer is capped at 2 steps (a few seconds on CPU).
      emulator: { backend: 'containers', containersMaxSteps: 2, timeScale: 1, coldLoadSeconds: 0, mmeCapacity: 8 },
      workerEnv: { TRAIN_WARM_WINDOW: '360s', GENERATE_COLD_LOAD_BUDGET: '360s', LOCK_DURATION: '30s' },
    });
  });
  afterAll(() => stack?.close());

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${stack.baseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${stack.apiKey}`, ...(init.headers as Record<string, string>) },
    });
    const text = await res.text();
    const json = res.headers.get('content-type')?.startsWith('application/json');
    return { status: res.status, body: json ? JSON.parse(text) : undefined, text };
  };
  const post = (path: string, body: unknown) =>
    call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 15 * MINUTE): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** A JPEG from the Python pipeline: decodable, 64×64, and not flat within the emulator's 8×8 palette blocks. */
  async function expectRealImage(url: string): Promise<void> {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const jpeg = Buffer.from(await res.arrayBuffer());
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
    expect([info.width, info.height]).toEqual([64, 64]);
    let flatBlocks = 0;
    for (let by = 0; by < 8; by++) {
      for (let bx = 0; bx < 8; bx++) {
        const values: number[] = [];
        for (let y = 0; y < 8; y++)
          for (let x = 0; x < 8; x++) values.push(data[((by * 8 + y) * 64 + bx * 8 + x) * info.channels]);
        if (Math.max(...values) - Math.min(...values) <= 8) flatBlocks++;
      }
    }
    expect(flatBlocks).toBeLessThan(32); // a palette grid is 64 flat blocks
  }

  it('trains, registers, warms and generates with the real training handler and Triton backends', async () => {
    const started = Date.now();
    const form = new FormData();
    form.append('name', 'Ada');
    form.append('subjectClass', 'person');
    form.append(
      'params',
      JSON.stringify({
        steps: 100,
        priorPreservation: false,
        trainTextEncoder: false,
        numClassImages: 0,
        loraRank: 4,
        facePreprocessing: false,
      }),
    );
    for (const [i, photo] of (await photoSet(10)).entries()) {
      form.append('images', new Blob([photo], { type: 'image/jpeg' }), `photo-${i}.jpg`);
    }
    const created = await call('/v1/models', { method: 'POST', body: form });
    expect(created.status).toBe(202);
    const model = await until('the model to be ready', async () => {
      const { body } = await call(`/v1/models/${created.body.id}`);
      if (body.status === 'failed') throw new Error(`training failed: ${JSON.stringify(body)}`);
      return body.status === 'ready' ? body : undefined;
    });
    const stats = stack.emulator.stats();
    expect(stats.trainings.completed).toBe(1);
    // The fresh instance refused the LoRA as Triton does without the conda pack; the worker recognised it,
    // ran the real model_setup (which unpacked the tiny base model) and the warm call then succeeded.
    expect(stats.errors[stack.emulator.mmeEndpoint]?.ModelError).toBeGreaterThanOrEqual(1);
    expect(stats.modelInvocations['model_setup.tar.gz']).toBeGreaterThanOrEqual(1);
    expect(stats.instances[0]).toMatchObject({ bootstrapped: true, models: [expect.stringMatching(/-v1\.tar\.gz$/)] });

    const generation = await post('/v1/generations', {
      model: model.id,
      prompt: '{trigger} as an astronaut',
      numImages: 3,
      steps: 2,
      guidance: 7.5,
    });
    expect(generation.status).toBe(202);
    const done = await until('the generation', async () => {
      const { body } = await call(`/v1/generations/${generation.body.id}`);
      if (['failed', 'canceled', 'expired'].includes(body.status))
        throw new Error(`generation: ${JSON.stringify(body)}`);
      return body.status === 'succeeded' ? body : undefined;
    });
    expect(done.images).toHaveLength(3);
    for (const image of done.images) await expectRealImage(image.url);

    const batch = await post('/v1/batches', {
      model: model.id,
      defaults: { steps: 2, guidance: 7.5 },
      items: Array.from({ length: 10 }, (_, i) => ({ prompt: `{trigger} portrait ${i}`, seed: i })),
    });
    expect(batch.status).toBe(202);
    await until('the batch', async () => {
      const { body } = await call(`/v1/batches/${batch.body.id}`);
      if (['failed', 'canceled'].includes(body.status)) throw new Error(`batch ended: ${JSON.stringify(body)}`);
      return body.status === 'completed' ? body : undefined;
    });
    const results = (await call(`/v1/batches/${batch.body.id}/results`)).text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(results).toHaveLength(10);
    expect(results.map((r) => r.status)).toEqual(Array(10).fill('succeeded'));
    for (const result of results) await expectRealImage(result.url);
    console.log(
      `containers stack: photos → ready → 3 + 10 real images in ${Math.round((Date.now() - started) / 1000)} s`,
    );
  });
});
