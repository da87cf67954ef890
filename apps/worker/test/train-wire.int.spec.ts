import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SageMakerAsyncInference } from '@dreamqueue/aws';
import { createLogger } from '@dreamqueue/logger';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { TrainingParams } from '@dreamqueue/contracts';
import { UsageLedger } from '@dreamqueue/records';
import { submitStep } from '../src/train/steps/submit.step';
import { trainSettingsFrom } from '../src/train/train-settings';
import { TrainingClaims } from '../src/train/training-claim';
import { UsageRecorder } from '../src/usage/usage-recorder';
import { loadWorkerConfig } from '../src/config';
import { MemoryObjectStore } from './memory-object-store';

/** C10 as a wire contract: what the real SDK client puts on the wire for a training submission. */
describe('train submission on the wire (real SDK client, capturing server)', () => {
  let fx: RedisFixture;
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(202, {
      'Content-Type': 'application/json',
      'X-Amzn-SageMaker-OutputLocation': 's3://dreamqueue/out/a.out',
      'X-Amzn-SageMaker-FailureLocation': 's3://dreamqueue/fail/a.out',
    });
    res.end(JSON.stringify({ InferenceId: req.headers['x-amzn-sagemaker-inference-id'] }));
  });
  beforeAll(async () => {
    fx = await startRedisFixture();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await fx.close();
  });

  it('always sends InvocationTimeoutSeconds (default 3600), RequestTTLSeconds, the InferenceId and CustomAttributes', async () => {
    const client = new SageMakerRuntimeClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    const settings = trainSettingsFrom(loadWorkerConfig({}));
    const model = {
      id: 'mdl_wire',
      tenantId: 'acme',
      name: 'w',
      token: '<<abc>>',
      subjectClass: 'person',
      triggerPhrase: '',
      params: TrainingParams.parse({}),
      photoCount: 10,
      status: 'training' as const,
      progress: 0,
      stages: {},
      createdAt: '',
      updatedAt: '',
      version: 1,
    };
    const out = await submitStep(
      {
        objects: new MemoryObjectStore(),
        asyncInference: new SageMakerAsyncInference(client),
        mme: { invoke: async () => Buffer.alloc(0) },
        claims: new TrainingClaims(fx.redis, fx.keySpace()),
        usage: new UsageRecorder(
          new UsageLedger(fx.redis, fx.keySpace()),
          createLogger({ name: 't', level: 'silent' }),
        ),
        settings,
        logger: createLogger({ name: 't', level: 'silent' }),
        now: Date.now,
      },
      { model, checkpoint: { inputKey: 'tenants/acme/models/mdl_wire/input.tar' }, jobId: 'mdl_wire' },
    );
    client.destroy();
    expect(out).toMatchObject({ next: 'await', patch: { outputLocation: 's3://dreamqueue/out/a.out' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      'x-amzn-sagemaker-invocationtimeoutseconds': '3600',
      'x-amzn-sagemaker-requestttlseconds': '7200',
      'x-amzn-sagemaker-inference-id': 'train-mdl_wire-1',
      'x-amzn-sagemaker-custom-attributes': 'job=mdl_wire',
      'x-amzn-sagemaker-inputlocation': 's3://dreamqueue/tenants/acme/models/mdl_wire/input.tar',
    });
  });
});
