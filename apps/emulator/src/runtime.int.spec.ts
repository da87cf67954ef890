import { DescribeEndpointCommand, ListEndpointsCommand, waitUntilEndpointInService } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointAsyncCommand, InvokeEndpointCommand, ValidationError } from '@aws-sdk/client-sagemaker-runtime';
import {
  sageMakerClientFor,
  sageMakerRuntimeClientFor,
  startTestEmulator,
  type TestEmulator,
} from '@dreamqueue/testing';
import { caught, generationBody } from './testing/fixtures';

describe('SageMaker wire contract (validation, control plane)', () => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.close());

  const invoke = (input: Partial<ConstructorParameters<typeof InvokeEndpointCommand>[0]>) =>
    sageMakerRuntimeClientFor(emulator).send(
      new InvokeEndpointCommand({
        EndpointName: emulator.mmeEndpoint,
        Body: generationBody([{}]),
        TargetModel: 'x.tar.gz',
        ...input,
      } as ConstructorParameters<typeof InvokeEndpointCommand>[0]),
    );
  const invokeAsync = (input: Partial<ConstructorParameters<typeof InvokeEndpointAsyncCommand>[0]>) =>
    sageMakerRuntimeClientFor(emulator).send(
      new InvokeEndpointAsyncCommand({
        EndpointName: emulator.trainingEndpoint,
        InputLocation: `s3://${emulator.bucket}/in.tar`,
        ...input,
      } as ConstructorParameters<typeof InvokeEndpointAsyncCommand>[0]),
    );

  it.each([
    ['a missing body', () => invoke({ Body: undefined }), /body/],
    ['an empty endpoint name', () => invoke({ EndpointName: '' }), /endpointName/],
    ['an unknown endpoint', () => invoke({ EndpointName: 'nope' }), /Endpoint nope of account \d+ not found/],
    ['a sync call to the async endpoint', () => invoke({ EndpointName: emulator.trainingEndpoint }), /asynchronous/],
    ['a missing TargetModel', () => invoke({ TargetModel: undefined }), /TargetModel/],
    ['a TargetModel with ..', () => invoke({ TargetModel: '../secrets.tar.gz' }), /Invalid TargetModel/],
    ['a TargetModel with a leading /', () => invoke({ TargetModel: '/etc/passwd' }), /Invalid TargetModel/],
    ['a TargetModel with unsafe characters', () => invoke({ TargetModel: 'a b;rm.tar.gz' }), /Invalid TargetModel/],
    ['a body over 6 MB', () => invoke({ Body: Buffer.alloc(6_291_457, 0x20) }), /6291456/],
    ['a missing InputLocation', () => invokeAsync({ InputLocation: undefined }), /InputLocation/],
    [
      'an InvocationTimeoutSeconds over 3600',
      () => invokeAsync({ InvocationTimeoutSeconds: 3601 }),
      /InvocationTimeoutSeconds/,
    ],
    ['a RequestTTLSeconds over 21600', () => invokeAsync({ RequestTTLSeconds: 21_601 }), /RequestTTLSeconds/],
    [
      'an async call to the MME',
      () => invokeAsync({ EndpointName: emulator.mmeEndpoint }),
      /not configured for asynchronous/,
    ],
    ['an unknown async endpoint', () => invokeAsync({ EndpointName: 'nope' }), /not found/],
  ])('answers ValidationError (400) for %s', async (_case, call, message) => {
    const err = await caught(call);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.name).toBe('ValidationError');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toMatch(message);
    expect((err.$metadata as { requestId?: string }).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a TargetModel that is not in the prefix with the download error SageMaker gives', async () => {
    const err = await caught(() => invoke({ TargetModel: 'missing.tar.gz' }));
    expect(err.name).toBe('ValidationError');
    expect(err.message).toContain(
      `Failed to download model data(bucket: ${emulator.bucket}, key: ${emulator.mmePrefix}missing.tar.gz)`,
    );
  });

  it('accepts the body at exactly 6 MB (the model then rejects it, not the service)', async () => {
    const err = await caught(() => invoke({ Body: Buffer.alloc(6_291_456, 0x20), TargetModel: 'missing.tar.gz' }));
    expect(err.message).toContain('Failed to download model data');
  });

  it('describes both endpoints with epoch-second timestamps the SDK turns into Dates', async () => {
    const client = sageMakerClientFor(emulator);
    const training = await client.send(new DescribeEndpointCommand({ EndpointName: emulator.trainingEndpoint }));
    expect(training.EndpointStatus).toBe('InService');
    expect(training.CreationTime).toBeInstanceOf(Date);
    expect(training.AsyncInferenceConfig?.OutputConfig?.S3OutputPath).toBe(
      `s3://${emulator.bucket}/${emulator.asyncOutputPrefix}`,
    );
    expect(training.AsyncInferenceConfig?.OutputConfig?.S3FailurePath).toBe(
      `s3://${emulator.bucket}/${emulator.asyncFailurePrefix}`,
    );
    const mme = await client.send(new DescribeEndpointCommand({ EndpointName: emulator.mmeEndpoint }));
    expect(mme.ProductionVariants?.[0].VariantName).toBe('AllTraffic');
    expect(mme.AsyncInferenceConfig).toBeUndefined();
    await expect(
      waitUntilEndpointInService(
        { client, maxWaitTime: 5, minDelay: 1, maxDelay: 1 },
        { EndpointName: emulator.mmeEndpoint },
      ),
    ).resolves.toMatchObject({ state: 'SUCCESS' });
  });

  it('answers DescribeEndpoint for an unknown endpoint with ValidationException', async () => {
    const err = await caught(() =>
      sageMakerClientFor(emulator).send(new DescribeEndpointCommand({ EndpointName: 'nope' })),
    );
    expect(err.name).toBe('ValidationException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe('Could not find endpoint "nope".');
  });

  it('lists endpoints', async () => {
    const out = await sageMakerClientFor(emulator).send(new ListEndpointsCommand({ NameContains: 'mme' }));
    expect(out.Endpoints?.map((e) => e.EndpointName)).toEqual([emulator.mmeEndpoint]);
  });
});
