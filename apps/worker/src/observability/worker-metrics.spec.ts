import { FakeAsyncInference, FakeMultiModelInference, awsError } from '@dreamqueue/aws/testing';
import { InstrumentedAsyncInference, InstrumentedMultiModelInference } from './instrumented-inference';
import { countEvent } from './instrument-workers';
import { createWorkerMetrics } from './worker-metrics';

const sample = (text: string, series: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(series))
      ?.split(' ')
      .pop(),
  );
const kserve = (n: number) =>
  Buffer.from(
    JSON.stringify({
      outputs: [{ name: 'generated_image', shape: [n, 1], datatype: 'BYTES', data: Array(n).fill('aGk=') }],
    }),
  );

describe('worker metrics', () => {
  it('times SageMaker calls and counts errors by kind, throttles, cold loads and images', async () => {
    const metrics = createWorkerMetrics({ defaultMetrics: false, adaptiveLimit: () => 6 });
    const answers = [
      kserve(4),
      awsError('ThrottlingException', 400),
      awsError('ModelNotReadyException', 429),
      kserve(2),
    ];
    const mme = new InstrumentedMultiModelInference(
      new FakeMultiModelInference(() => {
        const next = answers.shift()!;
        if (next instanceof Error) throw next;
        return next;
      }),
      metrics,
    );
    const asyncInference = new InstrumentedAsyncInference(
      new FakeAsyncInference(() => {
        throw awsError('ValidationError', 400);
      }),
      metrics,
    );
    const call = () => mme.invoke({ endpoint: 'mme', targetModel: 't.tar.gz', body: Buffer.from('{}') });
    await call();
    await expect(call()).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(call()).rejects.toMatchObject({ name: 'ModelNotReadyException' });
    await call();
    await expect(
      asyncInference.invoke({
        endpoint: 'train',
        inputLocation: 's3://b/k',
        inferenceId: 'i',
        invocationTimeoutSeconds: 3600,
      }),
    ).rejects.toThrow();
    countEvent(metrics, { type: 'model.ready' } as never);
    countEvent(metrics, { type: 'model.failed' } as never);
    countEvent(metrics, { type: 'generation.succeeded' } as never);

    const text = await metrics.registry.metrics();
    expect(sample(text, 'dq_sagemaker_call_duration_seconds_count{op="invoke_mme",outcome="ok"}')).toBe(2);
    expect(sample(text, 'dq_sagemaker_errors_total{op="invoke_mme",kind="throttled"}')).toBe(1);
    expect(sample(text, 'dq_sagemaker_errors_total{op="invoke_async",kind="unrecoverable"}')).toBe(1);
    expect(sample(text, 'dq_sagemaker_throttles_total{op="invoke_mme"}')).toBe(1);
    expect(sample(text, 'dq_mme_cold_loads_total{op="invoke_mme"}')).toBe(1);
    expect(sample(text, 'dq_images_generated_total')).toBe(6);
    expect(sample(text, 'dq_trainings_total{outcome="ready"}')).toBe(1);
    expect(sample(text, 'dq_trainings_total{outcome="failed"}')).toBe(1);
    expect(sample(text, 'dq_generate_adaptive_limit')).toBe(6);
  });
});

describe('worker /metrics, /readyz and /healthz on the health port', () => {
  it('serves metrics behind the token and reports canary age', async () => {
    const { startHealthServer } = await import('../health/health-server');
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    let age = 1_000;
    const health = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      canaryAge: () => age,
      redisConnected: () => true,
      readyMaxAgeMs: 5_000,
      liveMaxAgeMs: 60_000,
      registry: metrics.registry,
      metricsToken: 'scrape-token-0123456789',
    });
    try {
      const url = (path: string) => `http://127.0.0.1:${health.port}${path}`;
      expect((await fetch(url('/metrics'))).status).toBe(401);
      const ok = await fetch(url('/metrics'), { headers: { authorization: 'Bearer scrape-token-0123456789' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('dq_job_duration_seconds');
      expect((await fetch(url('/readyz'))).status).toBe(200);
      age = 10_000;
      expect((await fetch(url('/readyz'))).status).toBe(503);
      expect((await fetch(url('/healthz'))).status).toBe(200);
      age = 61_000;
      const wedged = await fetch(url('/healthz'));
      expect(wedged.status).toBe(503);
      expect(await wedged.json()).toMatchObject({ status: 'stalled', redis: 'connected' });
    } finally {
      await health.close();
    }
  });
});
