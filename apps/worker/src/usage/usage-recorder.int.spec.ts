import { createLogger } from '@dreamqueue/logger';
import { UsageLedger, type UsageEntry } from '@dreamqueue/records';
import { startRedisFixture, type RedisFixture } from '@dreamqueue/testing';
import { createWorkerMetrics } from '../observability/worker-metrics';
import { UsageRecorder } from './usage-recorder';

describe('UsageRecorder (real Redis)', () => {
  let fx: RedisFixture;
  beforeAll(async () => {
    fx = await startRedisFixture();
  });
  afterAll(async () => fx.close());

  const logger = createLogger({ name: 'usage-test', level: 'silent' });
  const entry: UsageEntry = {
    invocationId: 'gen_a:0',
    tenantId: 'acme',
    modelId: 'mdl_a',
    kind: 'generate',
    ms: 1234.4,
    images: 4,
    resource: { kind: 'generation', id: 'gen_a' },
  };
  const gpuSeconds = async (metrics: ReturnType<typeof createWorkerMetrics>, kind: string) =>
    (await metrics.gpuSeconds.get()).values.find((v) => v.labels.kind === kind)?.value ?? 0;

  it('counts what the ledger recorded in dq_gpu_seconds_total, once per invocation', async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    const recorder = new UsageRecorder(new UsageLedger(fx.redis, fx.keySpace()), logger, metrics.gpuSeconds);
    await recorder.record(entry);
    await recorder.record(entry);
    expect(await gpuSeconds(metrics, 'generate')).toBe(1.234);
    expect(await gpuSeconds(metrics, 'train')).toBe(0);
  });

  it('logs and carries on when the ledger cannot be written (the work is delivered regardless)', async () => {
    const closed = fx.redis.duplicate();
    closed.disconnect();
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    const recorder = new UsageRecorder(new UsageLedger(closed, fx.keySpace()), logger, metrics.gpuSeconds);
    await expect(recorder.record({ ...entry, invocationId: 'gen_b:0' })).resolves.toBeUndefined();
    expect(await gpuSeconds(metrics, 'generate')).toBe(0);
  });
});
