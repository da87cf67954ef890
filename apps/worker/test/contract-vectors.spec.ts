import { FakeMultiModelInference } from '@dreamqueue/aws/testing';
import { readVector, type VectorRuntimeError } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { TrainingParams } from '@dreamqueue/contracts';
import { type ModelRecord, type UsageEntry } from '@dreamqueue/records';
import { invokeModel } from '../src/generate/invoke-model';
import { parseTrainingFailure } from '../src/train/failure-reason';
import { awaitStep } from '../src/train/steps/await.step';
import { warmStep } from '../src/train/steps/warm.step';
import { type StepInput, type TrainStepDeps, type TrainSettings } from '../src/train/train-context';
import { MemoryObjectStore } from './memory-object-store';

/** The worker's side of the SageMaker wire contract (libs/contracts/vectors), with fakes at the AWS edge. */
const settings = {
  mmeEndpoint: 'mme-ep',
  mmePrefix: readVector('training-output').mmePrefix,
  warmWindowMs: 30_000,
  warmRetryMs: 500,
  warmMaxErrors: 2,
} as TrainSettings;

const model = {
  id: 'mdl_vec',
  tenantId: 'acme',
  triggerPhrase: 'photo of <<qykqcj>> person',
  params: TrainingParams.parse({}),
  version: 1,
} as ModelRecord;

const okImage = () =>
  Buffer.from(
    JSON.stringify({ outputs: [{ name: 'generated_image', shape: [1, 1], datatype: 'BYTES', data: ['aGk='] }] }),
  );

/** The SDK's error for a vector entry: a named Error with $metadata and the modeled ModelError fields. */
function sdkError(error: VectorRuntimeError): Error {
  const { name, status, message, ...fields } = error;
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, ...fields });
}

/** An MME that answers `first` to the first LoRA call, then images; model_setup always succeeds. */
function mmeFailingOnceWith(first: Error) {
  const setup = readVector('model-setup');
  let failed = false;
  return new FakeMultiModelInference((req) => {
    if (req.targetModel === setup.targetModel) return Buffer.from(JSON.stringify(setup.response));
    if (!failed) {
      failed = true;
      return Promise.reject(first);
    }
    return okImage();
  });
}

function ports(
  mme: FakeMultiModelInference,
  objects = new MemoryObjectStore(),
  charged: UsageEntry[] = [],
): TrainStepDeps {
  return {
    objects,
    mme,
    usage: { record: async (entry: UsageEntry) => void charged.push(entry) },
    settings,
    logger: createLogger({ name: 'test', level: 'silent' }),
    now: () => 1_000_000,
  } as unknown as TrainStepDeps;
}

const input = (checkpoint: StepInput['checkpoint']): StepInput => ({ model, checkpoint, jobId: model.id });

describe('training results (training-output.json, training-failure.json)', () => {
  it('registers the artifact the vector output names, and charges the training time it reports', async () => {
    const out = readVector('training-output');
    const objects = new MemoryObjectStore(out.bucket);
    await objects.put('out/x.out', JSON.stringify(out.completed));
    const charged: UsageEntry[] = [];
    const step = await awaitStep(
      ports(new FakeMultiModelInference(okImage), objects, charged),
      input({
        inferenceId: 'train-mdl_vec-1',
        outputLocation: `s3://${out.bucket}/out/x.out`,
        failureLocation: `s3://${out.bucket}/fail/x.out`,
      }),
    );
    expect(step).toMatchObject({ next: 'register', patch: { trainedArtifact: out.artifactKey } });
    expect(charged).toEqual([
      expect.objectContaining({
        invocationId: 'train-mdl_vec-1',
        kind: 'train',
        ms: out.completed.training_seconds * 1000,
      }),
    ]);
  });

  it.each(readVector('training-failure').cases.map((c) => [c.name, c.failure] as const))(
    'shows the container reason for %s, and does not resubmit it',
    (_name, failure) => {
      expect(parseTrainingFailure(JSON.stringify(failure))).toEqual({
        reason: `Training failed: ${failure.reason}`,
        transient: false,
      });
    },
  );
});

describe('the MME bootstrap (model-setup.json, base-model-missing.json)', () => {
  const setup = readVector('model-setup');
  const vectors = readVector('base-model-missing');
  const setupCalls = (mme: FakeMultiModelInference) => mme.calls.filter((c) => c.targetModel === setup.targetModel);

  it.each(vectors.missing.map((c) => [c.name, c.error] as const))(
    'warm invokes model_setup with the request Triton accepts when %s',
    async (_name, error) => {
      const mme = mmeFailingOnceWith(sdkError(error));
      expect(await warmStep(ports(mme), input({ targetModel: 'acme-mdl-vec-v1.tar.gz' }))).toMatchObject({ waitMs: 0 });
      expect(setupCalls(mme).map((c) => JSON.parse(Buffer.from(c.body).toString('utf8')))).toEqual([setup.request]);
    },
  );

  it.each(vectors.missing.map((c) => [c.name, c.error] as const))(
    'a generation bootstraps the instance and retries when %s',
    async (_name, error) => {
      const mme = mmeFailingOnceWith(sdkError(error));
      const rows = [{ prompt: 'p', negativePrompt: '', seed: 1, steps: 2, guidance: 7.5 }];
      await invokeModel(mme, { endpoint: 'mme-ep', targetModel: 'acme-mdl-vec-v1.tar.gz', rows, inferenceId: 'g-1' });
      expect(mme.calls.map((c) => c.targetModel)).toEqual([
        'acme-mdl-vec-v1.tar.gz',
        setup.targetModel,
        'acme-mdl-vec-v1.tar.gz',
      ]);
      expect(JSON.parse(Buffer.from(setupCalls(mme)[0].body).toString('utf8'))).toEqual(setup.request);
    },
  );

  it.each(vectors.other.map((c) => [c.name, c.error] as const))(
    'neither path invokes model_setup for %s',
    async (_name, error) => {
      const warmMme = mmeFailingOnceWith(sdkError(error));
      await warmStep(ports(warmMme), input({ targetModel: 'acme-mdl-vec-v1.tar.gz' })).catch(() => undefined);
      const generateMme = mmeFailingOnceWith(sdkError(error));
      const rows = [{ prompt: 'p', negativePrompt: '', seed: 1, steps: 2, guidance: 7.5 }];
      await expect(
        invokeModel(generateMme, { endpoint: 'mme-ep', targetModel: 'acme-mdl-vec-v1.tar.gz', rows, inferenceId: 'g' }),
      ).rejects.toThrow();
      expect([...setupCalls(warmMme), ...setupCalls(generateMme)]).toEqual([]);
    },
  );
});
