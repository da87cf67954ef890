import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { s3ClientFor, sageMakerRuntimeClientFor, startTestEmulator, type TestEmulator } from '@dreamqueue/testing';
import { type FaultRule } from './faults/fault-rule';
import { buildArtifact } from './model/artifact';
import { bootstrap, caught, generationBody, putObject, trainingTar, waitForObject } from './testing/fixtures';

describe('fault injection, ledger and the control endpoint', () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator({ seed: 42 });
    await putObject(
      s3ClientFor(emulator),
      emulator,
      `${emulator.mmePrefix}m.tar.gz`,
      await buildArtifact({ palette: [[1, 2, 3]] }),
    );
    await bootstrap(sageMakerRuntimeClientFor(emulator), emulator);
  });
  afterEach(() => emulator.reset());
  afterAll(() => emulator.close());
  const invoke = (targetModel = 'm.tar.gz', client = sageMakerRuntimeClientFor(emulator)) =>
    client.send(
      new InvokeEndpointCommand({
        EndpointName: emulator.mmeEndpoint,
        TargetModel: targetModel,
        Body: generationBody([{}]),
      }),
    );
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.runtimeEndpoint}/_emulator/${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { connection: 'close' },
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  it.each([
    ['ThrottlingException', 400, {}],
    ['ModelNotReadyException', 429, {}],
    ['ModelError', 424, { OriginalStatusCode: 503 }],
    ['ServiceUnavailable', 503, {}],
    ['InternalFailure', 500, {}],
    ['InternalDependencyException', 530, {}],
    ['ValidationError', 400, {}],
  ] as const)('injects %s, which the SDK raises by name with status %i', async (error, status, fields) => {
    emulator.setFaults([{ op: 'invoke', error, rate: 1, count: 1, originalStatusCode: 503 }]);
    const err = await caught(() => invoke());
    expect(err.name).toBe(error);
    expect(err.$metadata.httpStatusCode).toBe(status);
    expect(err).toMatchObject(fields);
    await expect(invoke()).resolves.toBeDefined(); // count: 1
    expect(emulator.stats().faultsFired).toEqual({ [`invoke:${error}`]: 1 });
  });

  it('lets the SDK retry a retryable injected fault, and the ledger shows each attempt', async () => {
    emulator.setFaults([{ op: 'invoke', error: 'ServiceUnavailable', rate: 1, count: 2 }]);
    await invoke('m.tar.gz', sageMakerRuntimeClientFor(emulator, { maxAttempts: 3 }));
    const attempts = emulator
      .ledger()
      .filter((e) => e.op === 'InvokeEndpoint')
      .map((e) => [e.attempt, e.outcome]);
    expect(attempts).toEqual([
      [1, 'ServiceUnavailable'],
      [2, 'ServiceUnavailable'],
      [3, 'ok'],
    ]);
  });

  it('only hits the targeted model', async () => {
    await putObject(
      s3ClientFor(emulator),
      emulator,
      `${emulator.mmePrefix}other.tar.gz`,
      await buildArtifact({ palette: [[9, 9, 9]] }),
    );
    emulator.setFaults([{ op: 'invoke', error: 'ModelError', rate: 1, targetModel: 'other.tar.gz' }]);
    await expect(invoke('m.tar.gz')).resolves.toBeDefined();
    expect((await caught(() => invoke('other.tar.gz'))).name).toBe('ModelError');
  });

  it('replays the same faults for the same seed and rules', async () => {
    const rules: FaultRule[] = [{ op: 'invoke', error: 'ThrottlingException', rate: 0.5 }];
    const run = async () => {
      emulator.setFaults(rules);
      const outcomes: string[] = [];
      for (let i = 0; i < 12; i++)
        outcomes.push(
          await invoke().then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        );
      return outcomes;
    };
    const first = await run();
    expect(new Set(first)).toEqual(new Set(['ok', 'ThrottlingException']));
    expect(await run()).toEqual(first);
  });

  it('injects faults on InvokeEndpointAsync', async () => {
    emulator.setFaults([{ op: 'invokeAsync', error: 'InternalFailure', rate: 1 }]);
    const err = await caught(() =>
      sageMakerRuntimeClientFor(emulator).send(
        new InvokeEndpointAsyncCommand({
          EndpointName: emulator.trainingEndpoint,
          InputLocation: `s3://${emulator.bucket}/x.tar`,
        }),
      ),
    );
    expect(err.name).toBe('InternalFailure');
    expect(err.$metadata.httpStatusCode).toBe(500);
    expect(emulator.ledger().find((e) => e.op === 'InvokeEndpointAsync')).toMatchObject({
      outcome: 'InternalFailure',
      status: 500,
    });
  });

  it('fails a training on request (TrainingFailed) and can lose its result (NoOutput)', async () => {
    const s3 = s3ClientFor(emulator);
    const input = await putObject(
      s3,
      emulator,
      'inputs/f.tar',
      await trainingTar([
        [1, 1, 1],
        [2, 2, 2],
        [3, 3, 3],
      ]),
    );
    const train = (id: string) =>
      sageMakerRuntimeClientFor(emulator).send(
        new InvokeEndpointAsyncCommand({
          EndpointName: emulator.trainingEndpoint,
          InputLocation: input,
          InferenceId: id,
          InvocationTimeoutSeconds: 3600,
        }),
      );
    emulator.setFaults([{ op: 'training', error: 'TrainingFailed', rate: 1, count: 1 }]);
    const failed = await train('tf-1');
    const failure = JSON.parse((await waitForObject(s3, failed.FailureLocation!)).toString()) as {
      status: string;
      error: string;
    };
    expect(failure).toMatchObject({ status: 'Training Failed!', reason: expect.stringMatching(/Injected fault/) });

    emulator.setFaults([{ op: 'training', error: 'NoOutput', rate: 1, count: 1 }]);
    const lost = await train('lost-1');
    const after = await train('after-1'); // runs after the lost one started: once it is done, the lost one never will be
    await waitForObject(s3, after.OutputLocation!);
    for (const key of [lost.OutputLocation!, lost.FailureLocation!]) {
      const [, , k] = /^s3:\/\/([^/]+)\/(.+)$/.exec(key)!;
      expect((await caught(() => s3.send(new HeadObjectCommand({ Bucket: emulator.bucket, Key: k })))).name).toBe(
        'NotFound',
      );
    }
  });

  it.each([
    [
      's3:PutObject',
      'SlowDown',
      503,
      (s3: ReturnType<typeof s3ClientFor>, b: string) =>
        s3.send(new PutObjectCommand({ Bucket: b, Key: 'f/a', Body: 'x' })),
    ],
    [
      's3:GetObject',
      'InternalError',
      500,
      (s3: ReturnType<typeof s3ClientFor>, b: string) => s3.send(new GetObjectCommand({ Bucket: b, Key: 'f/base' })),
    ],
    [
      's3:CopyObject',
      'SlowDown',
      503,
      (s3: ReturnType<typeof s3ClientFor>, b: string) =>
        s3.send(new CopyObjectCommand({ Bucket: b, Key: 'f/c', CopySource: `${b}/f/base` })),
    ],
    [
      's3:DeleteObject',
      'InternalError',
      500,
      (s3: ReturnType<typeof s3ClientFor>, b: string) => s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'f/base' })),
    ],
  ] as const)('injects %s %s as an S3 XML error', async (op, error, status, call) => {
    const s3 = s3ClientFor(emulator, { maxAttempts: 1 });
    await putObject(s3, emulator, 'f/base', 'base');
    emulator.setFaults([{ op, error, rate: 1, count: 1 }]);
    const err = await caught(() => call(s3, emulator.bucket));
    expect(err.name).toBe(error);
    expect(err.$metadata.httpStatusCode).toBe(status);
    await expect(call(s3, emulator.bucket)).resolves.toBeDefined();
  });

  it('injects HeadObject faults (no body on HEAD: the SDK sees the status)', async () => {
    const s3 = s3ClientFor(emulator, { maxAttempts: 1 });
    await putObject(s3, emulator, 'f/h', 'h');
    emulator.setFaults([{ op: 's3:HeadObject', error: 'SlowDown', rate: 1, count: 1 }]);
    const err = await caught(() => s3.send(new HeadObjectCommand({ Bucket: emulator.bucket, Key: 'f/h' })));
    expect(err.$metadata.httpStatusCode).toBe(503);
  });

  it('records client writes in the ledger, separately from the endpoint own writes', async () => {
    const s3 = s3ClientFor(emulator);
    await s3.send(new PutObjectCommand({ Bucket: emulator.bucket, Key: 'l/a', Body: 'a' }));
    await s3.send(new CopyObjectCommand({ Bucket: emulator.bucket, Key: 'l/b', CopySource: `${emulator.bucket}/l/a` }));
    await s3.send(new DeleteObjectCommand({ Bucket: emulator.bucket, Key: 'l/a' }));
    const writes = emulator
      .ledger()
      .filter((e) => e.source === 'client')
      .map((e) => [e.op, e.key, e.outcome, e.attempt]);
    expect(writes).toEqual([
      ['PutObject', 'l/a', 'ok', 1],
      ['CopyObject', 'l/b', 'ok', 1],
      ['DeleteObject', 'l/a', 'ok', 1],
    ]);
    expect(emulator.stats().s3Requests).toMatchObject({ PutObject: 1, CopyObject: 1, DeleteObject: 1 });
  });

  it('paginates ListObjectsV2 (s3rver runs with the legacy OpenSSL provider)', async () => {
    const s3 = s3ClientFor(emulator);
    for (const k of ['p/1', 'p/2', 'p/3']) await putObject(s3, emulator, k, 'x');
    const page1 = await s3.send(new ListObjectsV2Command({ Bucket: emulator.bucket, Prefix: 'p/', MaxKeys: 2 }));
    const page2 = await s3.send(
      new ListObjectsV2Command({
        Bucket: emulator.bucket,
        Prefix: 'p/',
        MaxKeys: 2,
        ContinuationToken: page1.NextContinuationToken,
      }),
    );
    expect([page1.KeyCount, page2.KeyCount]).toEqual([2, 1]);
  });

  it('never shows a partly written object to a reader polling for it', async () => {
    const s3 = s3ClientFor(emulator);
    const body = Buffer.alloc(4 * 1024 * 1024, 7);
    const writes = Array.from({ length: 3 }, (_, i) =>
      s3.send(new PutObjectCommand({ Bucket: emulator.bucket, Key: `atomic/${i}`, Body: body })),
    );
    const seen = await Promise.all([0, 1, 2].map((i) => waitForObject(s3, `s3://${emulator.bucket}/atomic/${i}`)));
    await Promise.all(writes);
    for (const data of seen) expect(data.length).toBe(body.length);
  });

  it('serves stats, ledger, faults, config and reset over HTTP', async () => {
    const rules = [{ op: 'invoke', error: 'ThrottlingException', rate: 1, count: 1 }];
    expect(await control('PUT', 'faults', rules)).toEqual({ status: 200, body: rules });
    expect((await control('GET', 'faults')).body).toEqual(rules);
    expect((await caught(() => invoke())).name).toBe('ThrottlingException');
    const stats = (await control('GET', 'stats')).body as { throttles: number; invocations: Record<string, number> };
    expect(stats.throttles).toBe(1);
    expect(((await control('GET', 'ledger')).body as unknown[]).length).toBeGreaterThan(0);
    expect((await control('PUT', 'config', { mmeCapacity: 7 })).body).toMatchObject({ mmeCapacity: 7 });
    expect(await control('PUT', 'faults', [{ op: 'invoke', error: 'SlowDown', rate: 1 }])).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/SlowDown is not an error for invoke/) },
    });
    expect(await control('PUT', 'config', { mmeCapacity: 0 })).toMatchObject({ status: 400 });
    expect(await control('POST', 'reset')).toEqual({ status: 200, body: { ok: true } });
    expect((await control('GET', 'faults')).body).toEqual([]);
    expect((await control('GET', 'ledger')).body).toEqual([]);
    emulator.configure({ mmeCapacity: 4 });
  });
});
