import { TrainPayload, type TrainStep } from '@dreamqueue/contracts';
import { startTrainHarness, type TrainHarness } from './train-harness';
import { spawnWorker, type WorkerProcess } from './fixtures/worker-processes';

/**
 * A1/A4: real worker processes (plain `node` + the swc loader, see tools/swc-register.js) killed with
 * SIGKILL, or frozen with SIGSTOP past their lock. lockDuration 2 s / stalledInterval 1 s, so another
 * process resumes the job within ~3 s. The emulator's ledger counts the async invocations per model.
 */
describe('train jobs survive SIGKILL and SIGSTOP of worker processes (real processes, Redis, emulator)', () => {
  let h: TrainHarness;
  const running: WorkerProcess[] = [];
  const figures: { step: string; submitted: number; ready: boolean }[] = [];
  beforeAll(async () => {
    h = await startTrainHarness();
  });
  afterEach(async () => {
    for (const w of running.splice(0)) {
      w.kill('SIGKILL');
      await w.exited;
    }
  });
  afterAll(async () => {
    console.log(
      `kill tests: ${figures.filter((f) => f.ready).length}/${figures.length} ready; async invocations per model: ${figures.map((f) => `${f.step}=${f.submitted}`).join(', ')}`,
    );
    await h.close();
  });

  const start = async (env: Record<string, string> = {}) => {
    const w = await spawnWorker(h.workerEnv({ TRAIN_CONCURRENCY: '4', ...env }));
    running.push(w);
    return w;
  };

  /** The step the job's checkpoint says it is in (read from the job hash, the way BullMQ stores it). */
  async function stepOf(modelId: string): Promise<TrainStep | undefined> {
    const raw = await h.redis.hget(`${h.keySpace.queuePrefix}:train:${modelId}`, 'data');
    return raw ? TrainPayload.parse(JSON.parse(raw)).step : undefined;
  }
  async function waitForStep(modelId: string, step: TrainStep, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await stepOf(modelId)) !== step) {
      if (Date.now() > deadline) throw new Error(`job ${modelId} never reached ${step} (at ${await stepOf(modelId)})`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it.each(['prepare', 'submit', 'await', 'register', 'warm'] as const)(
    'A1: SIGKILL while the job is in %s → still ready, one async invocation',
    async (step) => {
      // Cold loads longer than one call (C3): warm re-delays on ModelNotReadyException, so it spans several checks.
      h.emulator.configure({ coldLoadSeconds: step === 'warm' ? 900 : 5 });
      const victim = await start();
      const id = await h.createModel(figures.length % 6);
      await waitForStep(id, step);
      victim.kill('SIGKILL');
      await victim.exited;
      await start();
      const record = await h.waitForStatus(id, ['ready', 'failed'], 30_000);
      const submitted = h.asyncInvocations(id).length;
      figures.push({ step, submitted, ready: record.status === 'ready' });
      expect(record.status).toBe('ready');
      expect(submitted).toBe(1);
    },
  );

  it('A4: a worker frozen (SIGSTOP) past its lock and then resumed never submits a second training', async () => {
    h.emulator.configure({ coldLoadSeconds: 5 });
    const id = await h.createModel(6);
    // The next S3 write (the frozen worker's training tar, in prepare) takes 4 s, holding it inside prepare.
    h.emulator.setFaults([{ op: 's3:PutObject', latencyMs: 4_000_000, rate: 1, count: 1 }]);
    const frozen = await start();
    const job = (await h.queue.getJob(id))!;
    while (!(await job.isActive())) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 500));
    frozen.kill('SIGSTOP');
    const rescuer = await start();
    await waitForStep(id, 'await', 30_000);
    frozen.kill('SIGCONT');
    const record = await h.waitForStatus(id, ['ready', 'failed'], 30_000);
    h.emulator.setFaults([]);
    figures.push({ step: 'frozen', submitted: h.asyncInvocations(id).length, ready: record.status === 'ready' });
    expect(record.status).toBe('ready');
    expect(h.asyncInvocations(id)).toEqual([`train-${id}-1`]);
    // Both wrote the tar (the frozen one's delayed upload too), proving it was stopped inside prepare.
    const tarWrites = () =>
      h.emulator.ledger().filter((e) => e.op === 'PutObject' && e.key?.endsWith(`${id}/input.tar`)).length;
    const until = Date.now() + 10_000;
    while (tarWrites() < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(tarWrites()).toBe(2);
    expect(h.asyncInvocations(id)).toHaveLength(1);
    void rescuer;
  });
});
