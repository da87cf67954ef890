import request from 'supertest';
import { decodeGenerationResponse, encodeGenerationRequest, SageMakerMultiModelInference } from '@dreamqueue/aws';
import { dominantColour } from '@dreamqueue/emulator';
import { UsageLedger } from '@dreamqueue/records';
import { S3ObjectStore, targetModelName } from '@dreamqueue/storage';
import { s3ClientFor, sageMakerRuntimeClientFor } from '@dreamqueue/testing';
import { PALETTE } from '../../api/test/fixtures/training-photos';
import { startTrainHarness, type TrainHarness } from './train-harness';

const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 6);

describe('training end to end: HTTP API → train worker → emulator (real Redis, real SDK clients)', () => {
  let h: TrainHarness;
  beforeAll(async () => {
    h = await startTrainHarness();
    h.startWorker();
  });
  afterAll(async () => h.close());

  it('C10: reaches ready; the MME serves the artifact under the server-built TargetModel, painted with the training photos', async () => {
    const id = await h.createModel(3);
    const record = await h.waitForStatus(id, ['ready', 'failed']);
    expect(record).toMatchObject({ status: 'ready', progress: 100, targetModel: targetModelName('acme', id, 1) });
    expect(Object.keys(record.stages)).toEqual(['queued', 'preparing', 'training', 'registering', 'ready']);
    // The registered artifact's ETag is on the record: generations pin the weights without asking S3.
    const artifact = await new S3ObjectStore(s3ClientFor(h.emulator), h.emulator.bucket).head(
      `${h.emulator.mmePrefix}${record.targetModel}`,
    );
    expect(record.artifactEtag).toEqual(artifact?.etag);
    expect(record.artifactEtag).toEqual(expect.any(String));
    // 1500 emulated seconds of training exceed the 900 s AWS applies without InvocationTimeoutSeconds: ready proves it was sent.
    expect(h.asyncInvocations(id)).toEqual([`train-${id}-1`]);
    const view = await request(h.app).get(`/v1/models/${id}`).set('authorization', `Bearer ${h.key}`).expect(200);
    expect(view.body).toMatchObject({
      status: 'ready',
      triggerPhrase: expect.stringMatching(/^photo of <<[a-z]{6}>> person$/),
    });
    expect(view.body.targetModel).toBeUndefined();

    const mme = new SageMakerMultiModelInference(sageMakerRuntimeClientFor(h.emulator));
    const body = encodeGenerationRequest([
      { prompt: view.body.triggerPhrase, negativePrompt: '', seed: 7, steps: 20, guidance: 7 },
    ]);
    const [image] = decodeGenerationResponse(
      await mme.invoke({ endpoint: h.emulator.mmeEndpoint, targetModel: record.targetModel!, body }),
      1,
    );
    expect(close(await dominantColour(image!), PALETTE[3]!)).toBe(true);
    const warm = h.emulator.ledger().filter((e) => e.op === 'InvokeEndpoint' && e.targetModel === record.targetModel);
    expect(warm.length).toBeGreaterThanOrEqual(2);
    const job = await h.queue.getJob(id);
    expect(job?.returnvalue).toEqual({ modelId: id, targetModel: record.targetModel, outcome: 'ready' });
    expect(JSON.stringify(job?.data)).not.toMatch(/https?:|X-Amz|Signature/i);

    // The cost ledger charged the training the time the endpoint reported: at least its 1.5 real seconds.
    const usage = (await new UsageLedger(h.redis, h.keySpace).models('acme')).find((m) => m.modelId === id)?.usage;
    expect(usage?.train).toEqual({ gpuMs: expect.any(Number), invocations: 1, images: 0 });
    expect(usage!.train.gpuMs).toBeGreaterThanOrEqual(1_500);
  });

  it('C8: a transient training failure is resubmitted once and the model still becomes ready', async () => {
    h.emulator.setFaults([{ op: 'training', error: 'TrainingFailed', rate: 1, count: 1 }]);
    const id = await h.createModel(1);
    expect((await h.waitForStatus(id, ['ready', 'failed'])).status).toBe('ready');
    expect(h.asyncInvocations(id)).toEqual([`train-${id}-1`, `train-${id}-2`]);
    // Both submissions ran on the GPU: both are charged.
    const usage = (await new UsageLedger(h.redis, h.keySpace).models('acme')).find((m) => m.modelId === id)?.usage;
    expect(usage?.train.invocations).toBe(2);
    h.emulator.setFaults([]);
  });

  it('a throttled submission pauses the train queue and is retried without spending an attempt', async () => {
    h.emulator.setFaults([{ op: 'invokeAsync', error: 'ThrottlingException', rate: 1, count: 1 }]);
    const id = await h.createModel(5);
    const record = await h.waitForStatus(id, ['ready', 'failed']);
    h.emulator.setFaults([]);
    expect(record.status).toBe('ready');
    expect(h.emulator.stats().faultsFired['invokeAsync:ThrottlingException']).toBe(1);
    // The record turns ready inside the job's last step; BullMQ counts the attempt once the job completes.
    const job = (await h.queue.getJob(id))!;
    const until = Date.now() + 10_000;
    while (!(await job.isCompleted()) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect((await h.queue.getJob(id))?.attemptsMade).toBe(1);
  });

  it('C8: a failure object on every submission fails the model with the parsed reason', async () => {
    h.emulator.setFaults([{ op: 'training', error: 'TrainingFailed', rate: 1 }]);
    const id = await h.createModel(2);
    const record = await h.waitForStatus(id, ['ready', 'failed']);
    h.emulator.setFaults([]);
    expect(record.status).toBe('failed');
    expect(record.failureReason).toMatch(/Training failed: .*out of memory/);
    expect(h.asyncInvocations(id)).toHaveLength(2);
  });

  it('C13: a model whose artifact cannot load is failed, removed from the prefix, never ready', async () => {
    const id = await h.createModel(4);
    const target = targetModelName('acme', id, 1);
    h.emulator.setFaults([
      { op: 'invoke', error: 'ModelError', originalStatusCode: 500, rate: 1, targetModel: target },
    ]);
    const record = await h.waitForStatus(id, ['ready', 'failed']);
    h.emulator.setFaults([]);
    expect(record.status).toBe('failed');
    expect(record.failureReason).toMatch(/cannot be loaded/);
    // The artifact is removed right after the status change: wait for the delete, then the MME cannot find it.
    const removed = () =>
      h.emulator.ledger().some((e) => e.op === 'DeleteObject' && e.key === `${h.emulator.mmePrefix}${target}`);
    const until = Date.now() + 5_000;
    while (!removed() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(removed()).toBe(true);
    const mme = new SageMakerMultiModelInference(sageMakerRuntimeClientFor(h.emulator));
    const body = encodeGenerationRequest([{ prompt: 'x', negativePrompt: '', seed: 1, steps: 1, guidance: 7 }]);
    await expect(mme.invoke({ endpoint: h.emulator.mmeEndpoint, targetModel: target, body })).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('O4: an operator retry of a failed train job resumes from its checkpoint: ready, no new submission', async () => {
    const id = await h.createModel(6);
    const target = `${h.emulator.mmePrefix}${targetModelName('acme', id, 1)}`;
    // Something already occupies the artifact name: register refuses to overwrite it and the model fails.
    const objects = new S3ObjectStore(s3ClientFor(h.emulator), h.emulator.bucket);
    await objects.put(target, 'squatter');
    const failed = await h.waitForStatus(id, ['ready', 'failed']);
    expect(failed.failureReason).toMatch(/refusing to overwrite/);
    const job = (await h.queue.getJob(id))!;
    while (!(await job.isFailed())) await new Promise((r) => setTimeout(r, 20));
    expect(job.data.step).toBe('register');
    await objects.delete(target);
    await job.retry('failed');
    const ready = await h.waitForStatus(id, ['ready']);
    expect(ready.failureReason).toBeUndefined();
    expect(h.asyncInvocations(id)).toEqual([`train-${id}-1`]);
  });

  it('cancel during training: the late result is discarded and its artifact removed; the job completes quietly', async () => {
    const id = await h.createModel(5);
    await h.waitForStatus(id, ['training']);
    await request(h.app).post(`/v1/models/${id}/cancel`).set('authorization', `Bearer ${h.key}`).expect(200);
    const job = await h.queue.getJob(id);
    const deadline = Date.now() + 15_000;
    while (!(await job!.isCompleted()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await h.queue.getJob(id))?.returnvalue).toMatchObject({ outcome: 'discarded' });
    expect((await h.models.get('acme', id))?.status).toBe('canceled');
    const written = h.emulator
      .ledger()
      .filter((e) => e.op === 'PutObject' && e.source === 'emulator' && e.key?.startsWith(h.emulator.mmePrefix));
    const deleted = new Set(
      h.emulator
        .ledger()
        .filter((e) => e.op === 'DeleteObject')
        .map((e) => e.key),
    );
    expect(written.length).toBeGreaterThan(1);
    const mine = written.filter((e) => !deleted.has(e.key));
    expect(mine.every((e) => e.key?.endsWith('model_setup.tar.gz'))).toBe(true);
  });
});

describe('training deadlines, cancel and delete (emulator)', () => {
  let h: TrainHarness;
  const auth = () => ({ authorization: `Bearer ${h.key}` });
  beforeAll(async () => {
    h = await startTrainHarness();
    h.startWorker({ TRAIN_DEADLINE: '2500ms' });
  });
  afterAll(async () => h.close());

  it('C9: a training whose result never appears fails at the deadline with "training timed out"', async () => {
    h.emulator.setFaults([{ op: 'training', error: 'NoOutput', rate: 1, count: 1 }]);
    const id = await h.createModel(0);
    const record = await h.waitForStatus(id, ['ready', 'failed']);
    expect(record.status).toBe('failed');
    expect(record.failureReason).toMatch(/Training timed out/);
    expect(h.asyncInvocations(id)).toHaveLength(1);
  });

  it('cancel before training: nothing is submitted; cancel after ready is refused; delete removes the artifact', async () => {
    const early = await h.createModel(1);
    await request(h.app).post(`/v1/models/${early}/cancel`).set(auth()).expect(200);
    const id = await h.createModel(2);
    const ready = await h.waitForStatus(id, ['ready', 'failed']);
    expect(ready.status).toBe('ready');
    const earlyJob = await h.queue.getJob(early);
    const until = Date.now() + 10_000;
    while (!(await earlyJob!.isCompleted()) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    expect(h.asyncInvocations(early)).toEqual([]);
    expect((await h.models.get('acme', early))?.status).toBe('canceled');

    expect((await request(h.app).post(`/v1/models/${id}/cancel`).set(auth()).expect(409)).body.error.code).toBe(
      'model_not_cancelable',
    );
    await request(h.app).delete(`/v1/models/${id}`).set(auth()).expect(200);
    expect(
      h.emulator
        .ledger()
        .some((e) => e.op === 'DeleteObject' && e.key === `${h.emulator.mmePrefix}${ready.targetModel}`),
    ).toBe(true);
  });
});
