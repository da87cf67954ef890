import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DreamqueueClient } from '@dreamqueue/client';
import { eventually } from '@dreamqueue/testing';
import { startCliStack, type CliStack } from './cli-stack';
import { writePhotos } from './photos';
import { cliEnv, runCli, runCliInTerminal } from './run-cli';

const TEST_OUTPUT = resolve(__dirname, '..', '..', '..', 'test-output');

/**
 * The `dreamqueue` binary as a user runs it, against the real system: login → train → generate → files on
 * disk → batch with a live progress bar in a real terminal → download; exit codes and --json for scripts.
 */
describe('dreamqueue CLI round trip (real API, worker, Redis and emulator)', () => {
  let stack: CliStack;
  let loggedIn: NodeJS.ProcessEnv;
  let modelId: string;

  beforeAll(async () => {
    stack = await startCliStack();
    loggedIn = cliEnv({ home: stack.home });
  }, 120_000);
  afterAll(() => stack?.close());

  it('login checks the key and stores it readable only by its owner; later commands use it', async () => {
    const refused = await runCli(['login', '--url', stack.url], loggedIn, 'dq_wrong\n');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('unauthorized');

    const login = await runCli(['login', '--url', stack.url], loggedIn, `${stack.apiKey}\n`);
    expect(login.code).toBe(0);
    const file = join(stack.home, '.config', 'dreamqueue', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(stack.home, '.config', 'dreamqueue')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: stack.url, apiKey: stack.apiKey });
    expect(login.stdout + login.stderr).not.toContain(stack.apiKey);

    const models = await runCli(['models'], loggedIn);
    expect(models).toMatchObject({ code: 0 });
    expect(models.stdout).toContain('No models yet');
  });

  it('train <dir> --name --wait: uploads the photos and follows the training to ready', async () => {
    const dir = join(stack.home, 'selfies');
    await writePhotos(dir, 12);
    const run = await runCli(['--json', 'train', dir, '--name', 'Ada', '--wait', '--timeout', '90'], loggedIn);
    expect(run.stderr).toMatch(/Uploading 12 photos/);
    expect(run.stderr).toMatch(/mdl_\w+\s+training/);
    expect(run.code).toBe(0);
    const model = JSON.parse(run.stdout) as { id: string; status: string; name: string };
    expect(model).toMatchObject({ status: 'ready', name: 'Ada' });
    modelId = model.id;

    const list = await runCli(['models'], loggedIn);
    expect(list.stdout).toMatch(new RegExp(`^${modelId}\\s+ready\\s+Ada\\s+photo of`, 'm'));
  }, 120_000);

  it('names the photo the API rejected, by file, and exits 4 with nothing queued', async () => {
    const dir = join(stack.home, 'bad-selfies');
    await writePhotos(dir, 10);
    await writePhotos(join(dir, 'small'), 1, 64);
    writeFileSync(join(dir, 'photo-05.jpg'), readFileSync(join(dir, 'small', 'photo-01.jpg')));
    const run = await runCli(['train', dir, '--name', 'Tiny'], loggedIn);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/image_too_small/);
    expect(run.stderr).toMatch(/photo-05\.jpg: image_too_small/);
    const models = JSON.parse((await runCli(['--json', 'models'], loggedIn)).stdout) as { data: { name: string }[] };
    expect(models.data.map((m) => m.name)).toEqual(['Ada']);
  });

  it('generate -n 4 --out: waits for the images and writes them, with their reproduction records', async () => {
    const out = join(stack.home, 'avatars');
    const run = await runCli(
      ['generate', modelId, 'portrait of {trigger}, oil painting', '-n', '4', '--seed', '7', '--out', out],
      loggedIn,
    );
    expect(run.stderr).toMatch(/gen_\w+\s+(queued|running)/);
    expect(run.code).toBe(0);
    const images = readdirSync(out).filter((f) => f.endsWith('.jpg'));
    expect(images).toHaveLength(4);
    for (const image of images)
      expect(readFileSync(join(out, image)).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const record = JSON.parse(
      readFileSync(
        join(
          out,
          readdirSync(out).find((f) => f.endsWith('.json'))!,
        ),
        'utf8',
      ),
    );
    expect(record.images.map((i: { reproduction: { seed: number } }) => i.reproduction.seed)).toEqual([7, 8, 9, 10]);
    expect(JSON.stringify(record)).not.toMatch(/X-Amz-Signature/i);
  }, 60_000);

  it('batch <model> <prompts-file> --out: a live progress bar in a real terminal, then 20 images and the manifest', async () => {
    const prompts = join(stack.home, 'prompts.txt');
    writeFileSync(prompts, Array.from({ length: 20 }, (_, i) => `{trigger} as character ${i}`).join('\n'));
    const out = join(stack.home, 'batch-out');
    const { code, transcript } = await runCliInTerminal(
      ['batch', modelId, prompts, '--out', out, '--steps', '10'],
      loggedIn,
    ).done;
    if (code !== 0) throw new Error(`exit ${code}:\n${transcript}`);
    // Kept for people: what the terminal showed (test-output/ is not committed).
    mkdirSync(TEST_OUTPUT, { recursive: true });
    writeFileSync(join(TEST_OUTPUT, 'cli-batch-terminal.txt'), transcript);
    // The bar is redrawn in place (carriage return + erase line), with done, failed, rate and ETA.
    const frames = transcript
      .split('\r')
      .filter((f) => /^\[[█░]+\] \d+\/20 done · \d+ failed · [\d.–]+\/s · ETA /.test(f));
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(new Set(frames.map((f) => f.match(/(\d+)\/20 done/)![1])).size).toBeGreaterThanOrEqual(2);
    expect(frames.at(-1)).toMatch(/^\[█+\] 20\/20 done · 0 failed · [\d.]+\/s · ETA 0s/);
    expect(transcript).toMatch(/Batch bat_\w+ completed: 20 succeeded, 0 failed\. It used [\d.,]+ GPU-seconds\./);
    const files = readdirSync(out);
    expect(files.filter((f) => f.endsWith('.jpg'))).toHaveLength(20);
    const manifest = readFileSync(join(out, 'manifest.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(manifest).toHaveLength(20);
    expect(
      manifest.every(
        (l: { status: string; file?: string; url?: string }) => l.status === 'succeeded' && l.file && !l.url,
      ),
    ).toBe(true);
  }, 90_000);

  it('usage: the GPU-seconds of the training and the images so far, per model', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const run = await runCli(['usage', '--from', today], loggedIn);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Tenant \S+ used [\d.,]+ GPU-seconds: [\d.]+ for 2\d images, [\d.]+ for 1 trainings\./);
    expect(run.stdout).toMatch(new RegExp(`^${modelId}  [\\d.]+ +2\\d +1$`, 'm'));
    const usage = JSON.parse((await runCli(['--json', 'usage'], loggedIn)).stdout) as { train: { gpuSeconds: number } };
    expect(usage.train.gpuSeconds).toBeGreaterThan(0);
  }, 30_000);

  it('Ctrl-C stops watching a batch without canceling it, and says so (exit 130)', async () => {
    const prompts = join(stack.home, 'long-prompts.txt');
    writeFileSync(prompts, Array.from({ length: 40 }, (_, i) => `{trigger} number ${i}`).join('\n'));
    const running = runCliInTerminal(['batch', modelId, prompts], loggedIn);
    const id = await eventually(
      () => /Batch (bat_\w+): 40 prompts queued/.exec(running.output())?.[1],
      30_000,
      'the batch to be queued',
    );
    running.child.stdin!.write('\x03'); // Ctrl-C typed into the terminal
    const { code, transcript } = await running.done;
    expect(code).toBe(130);
    expect(transcript).toContain(`Stopped watching. Batch ${id} goes on on the server (nothing was canceled).`);
    expect(transcript).toContain(`dreamqueue watch ${id}`);
    const client = new DreamqueueClient({ baseUrl: stack.url, apiKey: stack.apiKey });
    await eventually(
      async () => ((await client.getBatch(id)).status === 'completed' ? true : undefined),
      60_000,
      'the batch to finish on its own',
    );
    const watched = await runCli(['--json', 'watch', id], loggedIn);
    expect(watched.code).toBe(0);
    expect(JSON.parse(watched.stdout)).toMatchObject({ id, status: 'completed', counts: { succeeded: 40 } });
  }, 90_000);

  it('--json errors and documented exit codes: not found 4, bad key 3, unreachable 5, usage 2', async () => {
    const missing = await runCli(['--json', 'model', 'mdl_doesnotexist'], loggedIn);
    expect(missing.code).toBe(4);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'not_found' } });

    const badKey = await runCli(['models'], cliEnv({ home: stack.home, url: stack.url, apiKey: 'dq_nope' }));
    expect(badKey.code).toBe(3);

    const down = await runCli(['models'], cliEnv({ home: stack.home, url: 'http://127.0.0.1:9', apiKey: 'dq_x' }));
    expect(down.code).toBe(5);
    expect(down.stderr).toMatch(/Could not reach http:\/\/127\.0\.0\.1:9/);

    expect((await runCli(['generate', modelId, 'x', '-n', 'many'], loggedIn)).code).toBe(2);
    expect((await runCli(['generate', modelId, 'x', '-n', '9'], loggedIn)).code).toBe(4);
  }, 60_000);
});
