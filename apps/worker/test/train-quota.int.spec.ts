import { startTrainHarness, type TrainHarness } from './train-harness';

describe('concurrent-trainings quota with the real train worker: a training that finishes frees its slot', () => {
  let h: TrainHarness;
  beforeAll(async () => {
    h = await startTrainHarness();
  });
  afterAll(async () => h.close());

  it('refuses a second training while the first runs, and accepts one again once the worker made it ready', async () => {
    await h.quotas.set('acme', { concurrentTrainings: 1 });
    const first = await h.createModel(0);
    await expect(h.createModel(1)).rejects.toThrow(/429.*concurrent_trainings_quota_exceeded/);
    expect((await h.quotas.view('acme')).concurrentTrainings.usage).toBe(1);

    h.startWorker();
    await h.waitForStatus(first, ['ready']);
    expect((await h.quotas.view('acme')).concurrentTrainings.usage).toBe(0);
    const second = await h.createModel(2);
    expect((await h.quotas.view('acme')).concurrentTrainings.usage).toBe(1);
    await h.waitForStatus(second, ['ready']);
    expect((await h.quotas.view('acme')).concurrentTrainings.usage).toBe(0);
  });
});
