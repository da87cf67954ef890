import { FakeAsyncInference, FakeMultiModelInference, awsError } from '@dreamqueue/aws/testing';
import { TrainingParams } from '@dreamqueue/contracts';
import { createLogger } from '@dreamqueue/logger';
import { UsageLedger, type ModelRecord } from '@dreamqueue/records';
import { keys } from '@dreamqueue/storage';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { awaitStep, pollDelay } from '../src/train/steps/await.step';
import { prepareStep } from '../src/train/steps/prepare.step';
import { registerStep } from '../src/train/steps/register.step';
import { submitStep } from '../src/train/steps/submit.step';
import { warmStep } from '../src/train/steps/warm.step';
import { TrainingFailure, type StepInput, type TrainStepDeps, type TrainSettings } from '../src/train/train-context';
import { TrainingClaims } from '../src/train/training-claim';
import { UsageRecorder } from '../src/usage/usage-recorder';
import { MemoryObjectStore } from './memory-object-store';

const settings: TrainSettings = {
  trainingEndpoint: 'train-ep',
  mmeEndpoint: 'mme-ep',
  mmePrefix: 'mme-models/',
  invocationTimeoutSeconds: 3600,
  requestTtlSeconds: 7200,
  deadlineMs: 60_000,
  pollIntervalMs: 1_000,
  pollMaxIntervalMs: 4_000,
  claimStaleMs: 10_000,
  maxSubmissions: 2,
  warmWindowMs: 30_000,
  warmRetryMs: 500,
  warmMaxErrors: 2,
  throttleBackoffMs: 1000,
};

const model: ModelRecord = {
  id: 'mdl_unit',
  tenantId: 'acme',
  name: 'me',
  token: '<<abcdef>>',
  subjectClass: 'person',
  triggerPhrase: 'photo of <<abcdef>> person',
  params: TrainingParams.parse({ steps: 800 }),
  photoCount: 10,
  status: 'training',
  progress: 0,
  stages: {},
  createdAt: '',
  updatedAt: '',
  version: 1,
};

const okOutput = (req: { inferenceId: string }) => ({
  inferenceId: req.inferenceId,
  outputLocation: `s3://dreamqueue/async/output/${req.inferenceId}.out`,
  failureLocation: `s3://dreamqueue/async/failures/${req.inferenceId}-error.out`,
});

describe('train steps (fakes at the AWS edge, real Redis for the claim)', () => {
  let fx: RedisFixture;
  let ports: TrainStepDeps & {
    objects: MemoryObjectStore;
    asyncInference: FakeAsyncInference;
    mme: FakeMultiModelInference;
  };
  let clock: number;
  let ledger: UsageLedger;
  beforeAll(async () => {
    fx = await startRedisFixture();
    ledger = new UsageLedger(fx.redis, fx.keySpace());
  });
  afterAll(async () => fx.close());
  beforeEach(() => {
    clock = 1_000_000;
    ports = {
      objects: new MemoryObjectStore(),
      asyncInference: new FakeAsyncInference(okOutput),
      mme: new FakeMultiModelInference(() =>
        Buffer.from(
          JSON.stringify({ outputs: [{ name: 'generated_image', shape: [1, 1], datatype: 'BYTES', data: ['aGk='] }] }),
        ),
      ),
      claims: new TrainingClaims(fx.redis, fx.keySpace()),
      usage: new UsageRecorder(ledger, createLogger({ name: 'test', level: 'silent' })),
      settings,
      logger: createLogger({ name: 'test', level: 'silent' }),
      now: () => clock,
    };
  });
  const input = (checkpoint: StepInput['checkpoint'] = {}, extra: Partial<StepInput> = {}): StepInput => ({
    model,
    checkpoint,
    jobId: model.id,
    ...extra,
  });

  it('prepare writes one tar with the photos and the snake_case config at the server-built key', async () => {
    for (let i = 0; i < 10; i++)
      await ports.objects.put(keys.trainingPhoto('acme', model.id, i), Buffer.from(`photo-${i}`));
    const out = await prepareStep(ports, input());
    expect(out).toMatchObject({ next: 'submit', patch: { inputKey: 'tenants/acme/models/mdl_unit/input.tar' } });
    const tar = ports.objects.objects.get('tenants/acme/models/mdl_unit/input.tar')!.toString('latin1');
    expect(tar).toContain('00.jpg');
    expect(tar).toContain('09.jpg');
    expect(tar).toContain('"n_steps": 800');
    expect(tar).toContain('"concept_prompt": "photo of <<abcdef>>"');
  });

  it('C10: submit always sends InvocationTimeoutSeconds, a colon-free InferenceId and the job attribute', async () => {
    const out = await submitStep(ports, input({ inputKey: 'k/input.tar' }));
    expect(out).toMatchObject({
      next: 'await',
      patch: { inferenceId: 'train-mdl_unit-1', deadlineAt: clock + 60_000 },
    });
    expect(ports.asyncInference.calls).toEqual([
      expect.objectContaining({
        invocationTimeoutSeconds: 3600,
        requestTtlSeconds: 7200,
        inferenceId: 'train-mdl_unit-1',
        customAttributes: 'job=mdl_unit',
        inputLocation: 's3://dreamqueue/k/input.tar',
      }),
    ]);
  });

  it('A5: a second submit (lost checkpoint, zombie worker) resumes from the claim and never calls again', async () => {
    await submitStep(ports, input({ inputKey: 'k' }));
    const again = await submitStep(ports, input({ inputKey: 'k' }));
    expect(again).toMatchObject({
      next: 'await',
      patch: { inferenceId: 'train-mdl_unit-1', outputLocation: expect.stringContaining('train-mdl_unit-1.out') },
    });
    expect(ports.asyncInference.calls).toHaveLength(1);
  });

  it('a worker that no longer holds the job lock cannot take the claim', async () => {
    await fx.redis.set('lock-key', 'someone-else');
    await expect(
      submitStep(ports, input({ inputKey: 'k' }, { lock: { key: 'lock-key', token: 'mine' } })),
    ).rejects.toThrow(/Lost the lock/);
    expect(ports.asyncInference.calls).toHaveLength(0);
  });

  it('a claim in flight elsewhere makes submit wait; once stale it is resubmitted under the next number', async () => {
    await ports.claims.acquire(model.id, {
      inferenceId: 'train-mdl_unit-1',
      submission: 1,
      state: 'submitting',
      since: clock,
    });
    expect(await submitStep(ports, input({ inputKey: 'k' }))).toMatchObject({ waitMs: expect.any(Number) });
    clock += settings.claimStaleMs + 1;
    expect(await submitStep(ports, input({ inputKey: 'k' }))).toMatchObject({
      next: 'submit',
      patch: { submission: 2 },
    });
    expect(await submitStep(ports, input({ inputKey: 'k', submission: 2 }))).toMatchObject({
      patch: { inferenceId: 'train-mdl_unit-2' },
    });
    expect(ports.asyncInference.calls.map((c) => c.inferenceId)).toEqual(['train-mdl_unit-2']);
  });

  it('a refused submission releases the claim so the retry can submit', async () => {
    const failing = new FakeAsyncInference(() => Promise.reject(awsError('ServiceUnavailable', 503)));
    await expect(submitStep({ ...ports, asyncInference: failing }, input({ inputKey: 'k' }))).rejects.toThrow(
      /ServiceUnavailable/,
    );
    expect(await ports.claims.get(model.id)).toBeUndefined();
  });

  it('await re-delays with a capped growing interval, then fails clearly at the deadline (C9)', async () => {
    const submitted = {
      inferenceId: 'train-mdl_unit-1',
      outputLocation: 's3://dreamqueue/out/x.out',
      failureLocation: 's3://dreamqueue/fail/x.out',
      submittedAt: clock,
      deadlineAt: clock + 60_000,
      polls: 0,
      submission: 1,
    };
    expect(await awaitStep(ports, input(submitted))).toMatchObject({ waitMs: 1000, patch: { polls: 1 } });
    expect([0, 1, 2, 3, 10].map((p) => pollDelay(ports, p))).toEqual([1000, 1500, 2250, 3375, 4000]);
    clock += 61_000;
    await expect(awaitStep(ports, input(submitted))).rejects.toThrow(/Training timed out/);
  });

  it('await reads the output and moves to register; a failure object becomes a readable reason (C8)', async () => {
    const submitted = {
      inferenceId: 'train-mdl_unit-1',
      outputLocation: 's3://dreamqueue/out/x.out',
      failureLocation: 's3://dreamqueue/fail/x.out',
      deadlineAt: clock + 1,
      submission: 2,
    };
    await ports.objects.put(
      'out/x.out',
      JSON.stringify({ status: 'Training Completed!', output_location: 's3://dreamqueue/mme-models/abc123.tar.gz' }),
    );
    expect(await awaitStep(ports, input(submitted))).toMatchObject({
      next: 'register',
      patch: { trainedArtifact: 'mme-models/abc123.tar.gz' },
    });
    ports.objects.objects.clear();
    await ports.objects.put(
      'fail/x.out',
      JSON.stringify({ status: 'Training Failed!', error: 'expected 3-20 images at the tar root, found 1' }),
    );
    await expect(awaitStep(ports, input(submitted))).rejects.toThrow(
      new TrainingFailure('Training failed: expected 3-20 images at the tar root, found 1'),
    );
  });

  it('await charges a training once, from its submission to the check that saw its result', async () => {
    const before = (await ledger.totals(model.tenantId)).train;
    const submitted = {
      inferenceId: 'train-mdl_unit-7',
      outputLocation: 's3://dreamqueue/out/seven.out',
      failureLocation: 's3://dreamqueue/fail/seven.out',
      submittedAt: clock,
      deadlineAt: clock + 60_000,
      submission: 7,
    };
    clock += 5_000;
    await awaitStep(ports, input(submitted)); // nothing there yet: nothing charged
    expect((await ledger.totals(model.tenantId)).train).toEqual(before);
    await ports.objects.put(
      'out/seven.out',
      JSON.stringify({ status: 'Training Completed!', output_location: 's3://dreamqueue/mme-models/seven.tar.gz' }),
    );
    clock += 7_250;
    await awaitStep(ports, input(submitted));
    clock += 3_000;
    await awaitStep(ports, input(submitted)); // the step ran again (a lost checkpoint): not charged twice
    const after = (await ledger.totals(model.tenantId)).train;
    expect(after.gpuMs - before.gpuMs).toBe(12_250);
    expect(after.invocations - before.invocations).toBe(1);
    const perModel = (await ledger.models(model.tenantId)).find((m) => m.modelId === model.id);
    expect(perModel?.usage.train.gpuMs).toBeGreaterThanOrEqual(12_250);

    // A container that reports its own time is charged that, not the time until the check.
    await ports.objects.put(
      'out/eight.out',
      JSON.stringify({
        status: 'Training Completed!',
        output_location: 's3://dreamqueue/mme-models/eight.tar.gz',
        training_seconds: 3.5,
      }),
    );
    await awaitStep(
      ports,
      input({ ...submitted, inferenceId: 'train-mdl_unit-8', outputLocation: 's3://dreamqueue/out/eight.out' }),
    );
    expect((await ledger.totals(model.tenantId)).train.gpuMs - after.gpuMs).toBe(3_500);
  });

  it('a transient training failure is resubmitted once under the next number', async () => {
    await submitStep(ports, input({ inputKey: 'k' }));
    const submitted = {
      inferenceId: 'train-mdl_unit-1',
      outputLocation: 's3://dreamqueue/out/x.out',
      failureLocation: 's3://dreamqueue/fail/x.out',
      deadlineAt: clock + 1,
      submission: 1,
    };
    await ports.objects.put(
      'fail/x.out',
      JSON.stringify({ status: 'Training Failed!', error: 'CUDA error: out of memory' }),
    );
    expect(await awaitStep(ports, input(submitted))).toMatchObject({ next: 'submit', patch: { submission: 2 } });
    expect(await ports.claims.get(model.id)).toBeUndefined();
  });

  it('register copies under the server-built name, never over different content, and resumes', async () => {
    await ports.objects.put('mme-models/abc123.tar.gz', 'artifact');
    const out = await registerStep(ports, input({ trainedArtifact: 'mme-models/abc123.tar.gz' }));
    expect(out).toMatchObject({ next: 'warm', patch: { targetModel: 'acme-mdl-unit-v1.tar.gz' } });
    expect(ports.objects.objects.get('mme-models/acme-mdl-unit-v1.tar.gz')?.toString()).toBe('artifact');
    expect(ports.objects.objects.has('mme-models/abc123.tar.gz')).toBe(false);
    expect(await registerStep(ports, input({ trainedArtifact: 'mme-models/abc123.tar.gz' }))).toMatchObject({
      next: 'warm',
    });
    await ports.objects.put('mme-models/abc123.tar.gz', 'other');
    await expect(registerStep(ports, input({ trainedArtifact: 'mme-models/abc123.tar.gz' }))).rejects.toThrow(
      /refusing to overwrite/,
    );
  });

  it('warm retries ModelNotReady within the window, bootstraps a missing base model, and fails a corrupt artifact (C3, C13)', async () => {
    let answers = [awsError('ModelNotReadyException', 429)];
    ports.mme = new FakeMultiModelInference(() => Promise.reject(answers.shift() ?? new Error('no answer')));
    expect(await warmStep(ports, input({ targetModel: 't.tar.gz' }))).toMatchObject({
      waitMs: 500,
      patch: { warmStartedAt: clock },
    });
    clock += 31_000;
    answers = [awsError('ModelNotReadyException', 429)];
    await expect(warmStep(ports, input({ targetModel: 't.tar.gz', warmStartedAt: clock - 31_000 }))).rejects.toThrow(
      /did not load/,
    );

    answers = [
      awsError('ModelError', 424, {
        OriginalStatusCode: 500,
        OriginalMessage: 'the base model and conda environment are missing; invoke model_setup.tar.gz first.',
      }),
    ];
    ports.mme = new FakeMultiModelInference((req) =>
      req.targetModel === 'model_setup.tar.gz' ? Buffer.from('{}') : Promise.reject(answers.shift()),
    );
    expect(await warmStep(ports, input({ targetModel: 't.tar.gz' }))).toMatchObject({ waitMs: 0 });
    expect(ports.mme.calls.map((c) => c.targetModel)).toEqual(['t.tar.gz', 'model_setup.tar.gz']);

    const corrupt = () =>
      Promise.reject(
        awsError('ModelError', 424, { OriginalStatusCode: 500, OriginalMessage: 'artifact is not a tar.gz archive' }),
      );
    ports.mme = new FakeMultiModelInference(corrupt);
    const first = await warmStep(ports, input({ targetModel: 't.tar.gz' }));
    expect(first).toMatchObject({ waitMs: 500, patch: { warmErrors: 1 } });
    await expect(warmStep(ports, input({ targetModel: 't.tar.gz', warmErrors: 1 }))).rejects.toThrow(
      /cannot be loaded.*not a tar.gz/,
    );
  });
});
