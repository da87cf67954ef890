import { S3ObjectStore } from '@dreamqueue/storage';
import { eventually, s3ClientFor } from '@dreamqueue/testing';
import { startTrainHarness, type TrainHarness } from './train-harness';
import { testReconciler, type TestReconciler } from './reconcile-harness';

/** The reconciler with real trainings: real Redis and BullMQ, the train processor and the emulator's async endpoint. */
describe('reconciler: models', () => {
  let h: TrainHarness;
  let r: TestReconciler;
  let s3: ReturnType<typeof s3ClientFor>;
  beforeAll(async () => {
    h = await startTrainHarness();
    s3 = s3ClientFor(h.emulator);
    const objects = new S3ObjectStore(s3, h.emulator.bucket);
    r = testReconciler({
      redisUrl: h.redisServer.url,
      redis: h.redis,
      keySpace: h.keySpace,
      objects,
      mmePrefix: h.emulator.mmePrefix,
    });
  });
  afterAll(async () => {
    await r.close();
    s3.destroy();
    await h.close();
  });

  it('R1a: a model left queued with no train job is re-enqueued and becomes ready with exactly one async invocation', async () => {
    const id = await h.createModel(0);
    expect(await h.queue.remove(id)).toBe(1);
    await r.reconciler.runOnce();
    expect(r.repairs).toEqual([expect.objectContaining({ resource: 'model', resourceId: id, action: 'reenqueued' })]);
    h.startWorker();
    expect((await h.waitForStatus(id, ['ready', 'failed'])).status).toBe('ready');
    expect(h.asyncInvocations(id)).toEqual([`train-${id}-1`]);
  });

  it('R1a: a train job that vanished after submission resumes from its claim: ready, still one async invocation', async () => {
    const worker = h.startWorker();
    const id = await h.createModel(1);
    await h.waitForStatus(id, ['training']);
    // Awaiting the output, the job sits delayed between checks; stop the worker and drop the job there.
    await eventually(
      async () => ((await (await h.queue.getJob(id))?.getState()) === 'delayed' ? true : undefined),
      20_000,
      'the job parked between checks',
    );
    await worker.close();
    expect(await h.queue.remove(id)).toBe(1);
    const before = r.repairs.length;
    await r.reconciler.runOnce();
    expect(r.repairs.slice(before)).toEqual([expect.objectContaining({ resourceId: id, action: 'reenqueued' })]);
    h.startWorker();
    expect((await h.waitForStatus(id, ['ready', 'failed'])).status).toBe('ready');
    expect(h.asyncInvocations(id)).toEqual([`train-${id}-1`]);
  });
});
