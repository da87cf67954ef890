import { InvokeEndpointCommand, ModelError, ModelNotReadyException } from '@aws-sdk/client-sagemaker-runtime';
import { isBaseModelMissing, readVector } from '@dreamqueue/contracts';
import { s3ClientFor, sageMakerRuntimeClientFor, startTestEmulator, type TestEmulator } from '@dreamqueue/testing';
import { buildArtifact, type Rgb } from './model/artifact';
import { dominantColour } from './model/render-image';
import { bootstrap, caught, eventually, generate, generationBody, near, putObject, type Row } from './testing/fixtures';

const RED: Rgb = [210, 30, 30];
const BLUE: Rgb = [30, 40, 220];

describe('multi-model endpoint', () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    const s3 = s3ClientFor(emulator);
    await putObject(
      s3,
      emulator,
      `${emulator.mmePrefix}red.tar.gz`,
      await buildArtifact({ palette: [RED, [250, 200, 0]] }),
    );
    await putObject(s3, emulator, `${emulator.mmePrefix}blue.tar.gz`, await buildArtifact({ palette: [BLUE] }));
    await putObject(s3, emulator, `${emulator.mmePrefix}corrupt.tar.gz`, 'not a tarball');
    await bootstrap(sageMakerRuntimeClientFor(emulator), emulator);
  });
  afterAll(() => emulator.close());
  const runtime = () => sageMakerRuntimeClientFor(emulator);
  const gen = (model: string, rows: Row[]) => generate(runtime(), emulator, model, rows);
  const invokeRaw = (model: string, body: string) =>
    runtime().send(new InvokeEndpointCommand({ EndpointName: emulator.mmeEndpoint, TargetModel: model, Body: body }));

  it('answers a KServe v2 JSON body with one base64 JPEG per row', async () => {
    const out = await invokeRaw('red.tar.gz', generationBody([{ seed: 1 }, { seed: 2 }, { seed: 3 }]));
    expect(out.ContentType).toBe('application/json');
    expect(out.InvokedProductionVariant).toBe('AllTraffic');
    const body = JSON.parse(Buffer.from(out.Body).toString()) as {
      outputs: { name: string; shape: number[]; datatype: string; data: string[] }[];
    };
    expect(body.outputs).toHaveLength(1);
    expect(body.outputs[0]).toMatchObject({ name: 'generated_image', shape: [3, 1], datatype: 'BYTES' });
    for (const b64 of body.outputs[0].data)
      expect(Buffer.from(b64, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('paints images from the model that was asked for', async () => {
    const [red] = await gen('red.tar.gz', [{ seed: 5 }]);
    const [blue] = await gen('blue.tar.gz', [{ seed: 5 }]);
    expect(near(await dominantColour(red), RED)).toBe(true);
    expect(near(await dominantColour(blue), BLUE)).toBe(true);
  });

  it('is deterministic, and every generation parameter changes the pixels', async () => {
    const base: Row = { prompt: 'p', negativePrompt: 'n', seed: 9, steps: 30, guidance: 7 };
    const [a, again] = await gen('red.tar.gz', [base, base]);
    expect(a.equals(again)).toBe(true);
    const variants = await gen('red.tar.gz', [
      { ...base, seed: 10 },
      { ...base, prompt: 'q' },
      { ...base, negativePrompt: 'm' },
      { ...base, steps: 31 },
      { ...base, guidance: 7.5 },
    ]);
    for (const variant of variants) expect(variant.equals(a)).toBe(false);
  });

  it.each([
    [
      'more than 8 rows',
      generationBody(Array.from({ length: 9 }, () => ({}))),
      /batch size 9 exceeds max_batch_size 8/,
    ],
    [
      'rows that differ between inputs',
      JSON.stringify({
        inputs: [
          { name: 'prompt', shape: [2, 1], datatype: 'BYTES', data: ['a', 'b'] },
          { name: 'negative_prompt', shape: [1, 1], datatype: 'BYTES', data: ['n'] },
          {
            name: 'gen_args',
            shape: [2, 1],
            datatype: 'BYTES',
            data: [
              '{"num_inference_steps":1,"guidance_scale":1,"seed":1}',
              '{"num_inference_steps":1,"guidance_scale":1,"seed":2}',
            ],
          },
        ],
      }),
      /same batch size/,
    ],
    ['gen_args without a seed', generationBody([{}]).replace(',\\"seed\\":1', ''), /seed/],
    ['a body that is not JSON', 'hello', /not valid JSON/],
    [
      'a missing input',
      JSON.stringify({ inputs: [{ name: 'prompt', shape: [1, 1], datatype: 'BYTES', data: ['a'] }] }),
      /missing input 'negative_prompt'/,
    ],
  ])('rejects %s as ModelError with the container status 400', async (_case, body, message) => {
    const err = await caught(() => invokeRaw('red.tar.gz', body));
    expect(err).toBeInstanceOf(ModelError);
    expect(err.$metadata.httpStatusCode).toBe(424);
    expect(err.OriginalStatusCode).toBe(400);
    expect(err.OriginalMessage).toMatch(message);
    expect(err.LogStreamArn).toContain(`/aws/sagemaker/Endpoints/${emulator.mmeEndpoint}`);
  });

  it('fails to load a corrupt artifact, on every call', async () => {
    for (let i = 0; i < 2; i++) {
      const err = await caught(() => gen('corrupt.tar.gz', [{}]));
      expect(err.name).toBe('ModelError');
      expect(err.OriginalStatusCode).toBe(500);
      expect(err.OriginalMessage).toMatch(/Failed to load model corrupt.tar.gz: artifact is not a tar.gz/);
    }
  });

  it('times out a batch that would take longer than 60 s', async () => {
    emulator.configure({ perImageLatencyMs: 10_000 });
    try {
      const err = await caught(() =>
        gen(
          'red.tar.gz',
          Array.from({ length: 8 }, () => ({})),
        ),
      );
      expect(err.name).toBe('ModelError');
      expect(err.OriginalStatusCode).toBe(500);
      expect(err.OriginalMessage).toMatch(/within 60 s/);
    } finally {
      emulator.configure({ perImageLatencyMs: 100 });
    }
  });

  it('counts invocations, batch sizes and models in stats', async () => {
    emulator.reset();
    await gen('blue.tar.gz', [{}, {}]);
    await gen('blue.tar.gz', [{}]);
    const stats = emulator.stats();
    expect(stats.invocations[emulator.mmeEndpoint]).toBe(2);
    expect(stats.batchSizes).toEqual({ '1': 1, '2': 1 });
    expect(stats.modelInvocations).toEqual({ 'blue.tar.gz': 2 });
  });
});

describe('multi-model endpoint instances, loading and capacity', () => {
  let emulator: TestEmulator;
  const models = Array.from({ length: 10 }, (_, i) => `m${i}.tar.gz`);
  const start = async (options: Parameters<typeof startTestEmulator>[0]) => {
    emulator = await startTestEmulator(options);
    const s3 = s3ClientFor(emulator);
    for (const [i, model] of models.entries()) {
      await putObject(
        s3,
        emulator,
        `${emulator.mmePrefix}${model}`,
        await buildArtifact({ palette: [[i * 20, 100, 100]] }),
      );
    }
  };
  beforeEach(() => start({ mmeInstances: 3 }));
  afterEach(() => emulator.close());
  const gen = (model: string) => generate(sageMakerRuntimeClientFor(emulator), emulator, model, [{}]);

  it('uploads model_setup at start and needs it on each instance before LoRA models load', async () => {
    const before = await caught(() => gen('m0.tar.gz'));
    // Exactly what Triton answers for a LoRA whose conda pack is missing (vector base-model-missing.json).
    const vector = readVector('base-model-missing').missing[0].error;
    expect(before.name).toBe(vector.name);
    expect(before.$metadata.httpStatusCode).toBe(vector.status);
    expect(before.OriginalStatusCode).toBe(vector.OriginalStatusCode);
    expect(before.OriginalMessage).toBe(vector.OriginalMessage!.replace("'acme-mdl-x1-v1'", "'m0'"));
    expect(isBaseModelMissing(before)).toBe(true);

    await bootstrap(sageMakerRuntimeClientFor(emulator), emulator, 1);
    expect(emulator.stats().instances.map((i) => i.bootstrapped)).toEqual([true, false, false]);
    const results = await Promise.allSettled(models.map((m) => gen(m)));
    const served = models.filter((_, i) => results[i].status === 'fulfilled');
    expect(served.length).toBeGreaterThan(0);
    expect(served.length).toBeLessThan(models.length);
    expect(served.sort()).toEqual([...emulator.stats().instances[0].models].sort());

    await bootstrap(sageMakerRuntimeClientFor(emulator), emulator, 2);
    expect(emulator.stats().instances.every((i) => i.bootstrapped)).toBe(true);
    for (const model of models) await expect(gen(model)).resolves.toHaveLength(1);
  });

  it('routes each model to one instance consistently', async () => {
    await bootstrap(sageMakerRuntimeClientFor(emulator), emulator, 3);
    for (const model of models) await gen(model);
    for (const model of models) await gen(model);
    const placements = emulator.stats().instances.flatMap((i) => i.models);
    expect(placements.sort()).toEqual([...models].sort());
    expect(emulator.stats().coldLoads).toBe(3 + models.length);
  });

  it('answers ModelNotReadyException during a long cold load, then serves the model', async () => {
    await bootstrap(sageMakerRuntimeClientFor(emulator), emulator, 3);
    emulator.configure({ coldLoadSeconds: 200 });
    const err = await caught(() => gen('m1.tar.gz'));
    expect(err).toBeInstanceOf(ModelNotReadyException);
    expect(err.$metadata.httpStatusCode).toBe(429);
    const images = await eventually(() => gen('m1.tar.gz'));
    expect(images).toHaveLength(1);
    expect(emulator.stats().errors[emulator.mmeEndpoint].ModelNotReadyException).toBeGreaterThanOrEqual(1);
  });

  it('evicts the least recently used model, which then cold-loads again', async () => {
    await emulator.close();
    await start({ mmeInstances: 1, modelsPerInstance: 2 });
    await bootstrap(sageMakerRuntimeClientFor(emulator), emulator, 1);
    await gen('m0.tar.gz');
    await gen('m1.tar.gz');
    await gen('m0.tar.gz'); // m0 is now the most recently used
    await gen('m2.tar.gz'); // evicts m1
    expect(emulator.stats().instances[0].models).toEqual(['m0.tar.gz', 'm2.tar.gz']);
    expect(emulator.stats().evictions).toBe(1);
    const loads = emulator.stats().coldLoads;
    await gen('m1.tar.gz');
    expect(emulator.stats().coldLoads).toBe(loads + 1);
  });

  it('throttles invocations beyond the instances’ summed capacity, loading a busy model on further instances', async () => {
    await bootstrap(sageMakerRuntimeClientFor(emulator), emulator, 3);
    await gen('m0.tar.gz');
    const loads = emulator.stats().coldLoads;
    emulator.configure({ mmeCapacity: 1, fixedLatencyMs: 40_000, coldLoadSeconds: 0, timeScale: 0.01 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => gen('m0.tar.gz')));
    const rejected = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as Error & { $metadata: { httpStatusCode: number } });
    // One slot on each of 3 instances: m0 is served where it is loaded and loaded on the two others.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(emulator.stats().coldLoads).toBe(loads + 2);
    expect(rejected).toHaveLength(2);
    for (const err of rejected) {
      expect(err.name).toBe('ThrottlingException');
      expect(err.$metadata.httpStatusCode).toBe(400);
      expect(err.message).toBe('Rate exceeded');
    }
    expect(emulator.stats().throttles).toBe(2);
  });

  it('answers model_setup as Triton would: the vector request succeeds, the bodies Triton refuses get its 400', async () => {
    const vector = readVector('model-setup');
    const runtime = sageMakerRuntimeClientFor(emulator);
    const invokeSetup = (body: unknown) =>
      runtime.send(
        new InvokeEndpointCommand({
          EndpointName: emulator.mmeEndpoint,
          TargetModel: vector.targetModel,
          Body: JSON.stringify(body),
        }),
      );
    for (const rejected of vector.rejected) {
      const err = await caught(() => invokeSetup(rejected.body));
      expect(err.name).toBe('ModelError');
      expect(err.OriginalStatusCode).toBe(400);
      expect(JSON.parse(err.OriginalMessage as string)).toEqual({ error: rejected.tritonError });
    }
    const out = await invokeSetup(vector.request);
    expect(JSON.parse(Buffer.from(out.Body).toString('utf8'))).toEqual(vector.response);
  });

  it('keeps serving loaded models while another model loads (a load holds no inference slot)', async () => {
    await emulator.close();
    await start({ mmeInstances: 1, mmeCapacity: 1, timeScale: 0.01, coldLoadSeconds: 50, fixedLatencyMs: 1000 });
    await bootstrap(sageMakerRuntimeClientFor(emulator), emulator, 1);
    emulator.configure({ coldLoadSeconds: 0 });
    await gen('m0.tar.gz');
    emulator.configure({ coldLoadSeconds: 50 });
    const cold = gen('m1.tar.gz'); // loads for 50 s (0.5 s real)
    await eventually(async () => expect(emulator.stats().instances[0].models).toContain('m1.tar.gz'));
    // The only slot is free during the load: m0 is served meanwhile, before m1 has finished loading.
    await expect(gen('m0.tar.gz')).resolves.toHaveLength(1);
    const m1Loaded = await Promise.race([cold.then(() => true), Promise.resolve(false)]);
    expect(m1Loaded).toBe(false);
    await expect(cold).resolves.toHaveLength(1);
    expect(emulator.stats().throttles).toBe(0);
  });
});
