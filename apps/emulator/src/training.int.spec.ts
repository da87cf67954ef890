import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeEndpointAsyncCommand, type InvokeEndpointAsyncCommandInput } from '@aws-sdk/client-sagemaker-runtime';
import { s3ClientFor, sageMakerRuntimeClientFor, startTestEmulator, type TestEmulator } from '@dreamqueue/testing';
import { readVector } from '@dreamqueue/contracts';
import { type Rgb } from './model/artifact';
import { dominantColour } from './model/render-image';
import { packTar } from './model/tar';
import { bootstrap, generate, near, photo, putObject, trainingTar, waitForObject } from './testing/fixtures';

const COLOURS: Rgb[] = [
  [200, 30, 40],
  [20, 180, 60],
  [30, 40, 210],
];

describe('training endpoint', () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.close());
  const s3 = () => s3ClientFor(emulator);
  const train = (input: Partial<InvokeEndpointAsyncCommandInput>) =>
    sageMakerRuntimeClientFor(emulator).send(
      new InvokeEndpointAsyncCommand({
        EndpointName: emulator.trainingEndpoint,
        InvocationTimeoutSeconds: 3600,
        ...input,
      } as InvokeEndpointAsyncCommandInput),
    );
  const trainTar = async (name: string, tar: Buffer, extra: Partial<InvokeEndpointAsyncCommandInput> = {}) =>
    train({ InputLocation: await putObject(s3(), emulator, `inputs/${name}.tar`, tar), InferenceId: name, ...extra });
  const trainedModel = async (colours: Rgb[], name: string) => {
    const accepted = await trainTar(name, await trainingTar(colours));
    const output = JSON.parse((await waitForObject(s3(), accepted.OutputLocation!)).toString()) as {
      output_location: string;
    };
    return output.output_location.split(emulator.mmePrefix)[1];
  };

  it('trains from the uploaded photos and serves images painted with their colours', async () => {
    const accepted = await trainTar(
      'train-job1-1',
      await trainingTar(COLOURS, { config: { n_steps: 800, concept_prompt: 'photo of <<TOK>>' } }),
    );
    expect(accepted.$metadata.httpStatusCode).toBe(202);
    expect(accepted.InferenceId).toBe('train-job1-1');
    expect(accepted.OutputLocation).toBe(`s3://${emulator.bucket}/${emulator.asyncOutputPrefix}train-job1-1.out`);
    expect(accepted.FailureLocation).toBe(
      `s3://${emulator.bucket}/${emulator.asyncFailurePrefix}train-job1-1-error.out`,
    );

    const output = JSON.parse((await waitForObject(s3(), accepted.OutputLocation!)).toString()) as {
      status: string;
      output_location: string;
      training_seconds: number;
    };
    // The container's output object and artifact naming (vector training-output.json).
    const vector = readVector('training-output');
    expect(Object.keys(output).sort()).toEqual(Object.keys(vector.completed).sort());
    expect(output.status).toBe(vector.completed.status);
    // Real seconds the training took: at least its 300 emulated seconds at 1 ms each.
    expect(output.training_seconds).toBeGreaterThanOrEqual(0.3);
    const artifact = output.output_location.slice(`s3://${emulator.bucket}/${emulator.mmePrefix}`.length);
    expect(output.output_location).toBe(`s3://${emulator.bucket}/${emulator.mmePrefix}${artifact}`);
    expect(artifact).toMatch(new RegExp(vector.artifactNamePattern));
    await waitForObject(s3(), output.output_location);

    await bootstrap(sageMakerRuntimeClientFor(emulator), emulator);
    const [image] = await generate(
      sageMakerRuntimeClientFor(emulator),
      emulator,
      output.output_location.split(emulator.mmePrefix)[1],
      [{ seed: 7 }],
    );
    expect(near(await dominantColour(image), COLOURS[0])).toBe(true);
    expect(emulator.stats().trainings.completed).toBeGreaterThanOrEqual(1);
  });

  it('gives a different model, and different pixels, for different photos', async () => {
    const a = await trainedModel(COLOURS, 'train-a-1');
    const b = await trainedModel([[240, 240, 20], ...COLOURS.slice(1)], 'train-b-1');
    expect(a).not.toBe(b);
    await bootstrap(sageMakerRuntimeClientFor(emulator), emulator);
    const [imageA] = await generate(sageMakerRuntimeClientFor(emulator), emulator, a, [{ seed: 1 }]);
    const [imageB] = await generate(sageMakerRuntimeClientFor(emulator), emulator, b, [{ seed: 1 }]);
    expect(imageA.equals(imageB)).toBe(false);
    expect(near(await dominantColour(imageB), [240, 240, 20])).toBe(true);
  });

  it('keeps ids that are not key-safe apart in the output keys', async () => {
    const accepted = await trainTar('job:7/1', await trainingTar(COLOURS));
    expect(accepted.OutputLocation).toBe(`s3://${emulator.bucket}/${emulator.asyncOutputPrefix}job_3a7_2f1.out`);
    await waitForObject(s3(), accepted.OutputLocation!);
  });

  it.each([
    ['too few images', () => trainingTar(COLOURS.slice(0, 2)), /expected 3-20 images at the tar root, found 2/],
    ['too many images', () => trainingTar(Array.from({ length: 21 }, () => COLOURS[0])), /found 21/],
    [
      'an unknown config key',
      () => trainingTar(COLOURS, { config: { nsteps: 10 } }),
      /config.json is invalid: unknown key nsteps/,
    ],
    ['a config value of the wrong type', () => trainingTar(COLOURS, { config: { n_steps: 'many' } }), /n_steps/],
    [
      'a config that is not JSON',
      async () => packTar([...(await tarFiles()), { name: 'config.json', data: Buffer.from('{') }]),
      /not valid JSON/,
    ],
    [
      'an image that does not decode',
      async () => packTar([...(await tarFiles()), { name: 'broken.jpg', data: Buffer.from('not a jpeg') }]),
      /image broken.jpg is not a JPG file \(content does not match\)/,
    ],
    [
      'an image in a folder',
      async () => packTar([...(await tarFiles()), { name: 'photos/x.png', data: await photo(COLOURS[0]) }]),
      /at the tar root/,
    ],
    [
      'an unexpected file',
      async () => packTar([...(await tarFiles()), { name: 'notes.txt', data: Buffer.from('hi') }]),
      /unexpected file\(s\) in input: notes.txt/,
    ],
    [
      'data that is not a tar',
      async () => Buffer.from('definitely not a tar archive, just text that is long enough'.repeat(20)),
      /not a readable tar/,
    ],
  ])('writes a failure object for %s', async (_case, makeTar, reason) => {
    const id = `bad-${Math.random().toString(36).slice(2)}`;
    const accepted = await trainTar(id, await makeTar());
    const failure = JSON.parse((await waitForObject(s3(), accepted.FailureLocation!)).toString()) as {
      status: string;
      reason: string;
    };
    expect(Object.keys(failure).sort()).toEqual(['reason', 'status']);
    expect(failure.status).toBe('Training Failed!');
    expect(failure.reason).toMatch(reason);
  });

  it('writes a failure object when the input object does not exist', async () => {
    const accepted = await train({
      InputLocation: `s3://${emulator.bucket}/inputs/nothing.tar`,
      InferenceId: 'missing-input',
    });
    const failure = JSON.parse((await waitForObject(s3(), accepted.FailureLocation!)).toString()) as { reason: string };
    expect(failure.reason).toMatch(/could not download input .*nothing.tar/);
  });

  it('applies the 900 s default when InvocationTimeoutSeconds is absent, failing a longer training', async () => {
    emulator.configure({ trainingSeconds: 1000 });
    try {
      const accepted = await trainTar('no-timeout-header', await trainingTar(COLOURS), {
        InvocationTimeoutSeconds: undefined,
      });
      const failure = JSON.parse((await waitForObject(s3(), accepted.FailureLocation!)).toString()) as {
        reason: string;
      };
      expect(failure.reason).toMatch(/Invocation timed out after 900 seconds/);
      const ok = await trainTar('with-timeout-header', await trainingTar(COLOURS), { InvocationTimeoutSeconds: 3600 });
      await expect(waitForObject(s3(), ok.OutputLocation!)).resolves.toBeInstanceOf(Buffer);
    } finally {
      emulator.configure({ trainingSeconds: 300 });
    }
  });

  it('records async invocations in the ledger with the SDK attempt', async () => {
    await trainTar('ledger-1', await trainingTar(COLOURS), { CustomAttributes: 'user=u1' });
    const entry = emulator.ledger().find((e) => e.op === 'InvokeEndpointAsync' && e.inferenceId === 'ledger-1');
    expect(entry).toMatchObject({
      endpoint: emulator.trainingEndpoint,
      customAttributes: 'user=u1',
      attempt: 1,
      maxAttempts: 1,
      outcome: 'ok',
      status: 202,
    });
  });
});

async function tarFiles(): Promise<{ name: string; data: Buffer }[]> {
  return Promise.all(COLOURS.map(async (c, i) => ({ name: `p${i}.png`, data: await photo(c) })));
}

describe('training queue, expiry, notifications and restarts', () => {
  it('expires a request that waits longer than its RequestTTLSeconds', async () => {
    const emulator = await startTestEmulator({ trainingConcurrency: 1, trainingSeconds: 3000 });
    try {
      const s3 = s3ClientFor(emulator);
      const input = await putObject(s3, emulator, 'inputs/x.tar', await trainingTar(COLOURS));
      const runtime = sageMakerRuntimeClientFor(emulator);
      const send = (id: string, ttl?: number) =>
        runtime.send(
          new InvokeEndpointAsyncCommand({
            EndpointName: emulator.trainingEndpoint,
            InputLocation: input,
            InferenceId: id,
            InvocationTimeoutSeconds: 3600,
            RequestTTLSeconds: ttl,
          }),
        );
      await send('first');
      const waiting = await send('second', 60);
      const failure = JSON.parse((await waitForObject(s3, waiting.FailureLocation!)).toString()) as { reason: string };
      expect(failure.reason).toMatch(/RequestTTLSeconds \(60 s\)/);
      expect(emulator.stats().trainings).toMatchObject({ running: 1, failed: 1 });
    } finally {
      await emulator.close();
    }
  });

  it('posts an SNS-style notification on completion and on failure', async () => {
    const received: { body: string; req: IncomingMessage }[] = [];
    const sink = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ body, req });
        res.end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const address = sink.address() as { port: number };
    const emulator = await startTestEmulator({ notifyUrl: `http://127.0.0.1:${address.port}/sns` });
    try {
      const s3 = s3ClientFor(emulator);
      const runtime = sageMakerRuntimeClientFor(emulator);
      const good = await putObject(s3, emulator, 'inputs/good.tar', await trainingTar(COLOURS));
      const ok = await runtime.send(
        new InvokeEndpointAsyncCommand({
          EndpointName: emulator.trainingEndpoint,
          InputLocation: good,
          InferenceId: 'n-ok',
          InvocationTimeoutSeconds: 3600,
        }),
      );
      const bad = await runtime.send(
        new InvokeEndpointAsyncCommand({
          EndpointName: emulator.trainingEndpoint,
          InputLocation: `s3://${emulator.bucket}/none.tar`,
          InferenceId: 'n-bad',
        }),
      );
      await waitForObject(s3, ok.OutputLocation!);
      await waitForObject(s3, bad.FailureLocation!);
      const messages = await waitFor(() => (received.length === 2 ? received : undefined));
      const parsed = messages
        .map((m) => JSON.parse(m.body) as { Type: string; Message: string })
        .map((n) => ({ type: n.Type, message: JSON.parse(n.Message) as Record<string, unknown> }));
      const byId = Object.fromEntries(parsed.map((p) => [p.message.inferenceId as string, p]));
      expect(byId['n-ok']).toMatchObject({
        type: 'Notification',
        message: { invocationStatus: 'Completed', responseParameters: { outputLocation: ok.OutputLocation } },
      });
      expect(byId['n-bad']).toMatchObject({
        message: { invocationStatus: 'Failed', responseParameters: { failureLocation: bad.FailureLocation } },
      });
      expect(byId['n-bad'].message.failureReason).toMatch(/could not download input/);
    } finally {
      await emulator.close();
      await new Promise((r) => sink.close(r));
    }
  });

  it('resumes pending trainings after a restart on the same data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dq-emulator-restart-'));
    try {
      const first = await startTestEmulator({ dataDir, trainingSeconds: 100_000 });
      const input = await putObject(s3ClientFor(first), first, 'inputs/r.tar', await trainingTar(COLOURS));
      const accepted = await sageMakerRuntimeClientFor(first).send(
        new InvokeEndpointAsyncCommand({
          EndpointName: first.trainingEndpoint,
          InputLocation: input,
          InferenceId: 'resume-1',
          InvocationTimeoutSeconds: 3600,
        }),
      );
      await first.close();
      const second = await startTestEmulator({ dataDir, trainingSeconds: 10 });
      try {
        const output = JSON.parse((await waitForObject(s3ClientFor(second), accepted.OutputLocation!)).toString()) as {
          status: string;
        };
        expect(output.status).toBe('Training Completed!');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
