import request from 'supertest';
import { type Worker } from 'bullmq';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { SageMakerAsyncInference, SageMakerMultiModelInference } from '@dreamqueue/aws';
import { createLogger } from '@dreamqueue/logger';
import { EventLog } from '@dreamqueue/records';
import { eventually, sageMakerRuntimeClientFor } from '@dreamqueue/testing';
import { carryTraceContext, startTracing, type Tracing } from '@dreamqueue/tracing';
import {
  InstrumentedAsyncInference,
  InstrumentedMultiModelInference,
  closeWorkers,
  createProcessors,
  createWorkerMetrics,
  loadWorkerConfig,
  startWorkers,
} from '@dreamqueue/worker';
import { WORKER_TEST_ENV, startGenerationHarness, type GenerationHarness } from './generation-harness';

/**
 * One trace from the HTTP request through the queue to the SageMaker call: the real `POST /v1/generations`
 * route (API app over real Redis), the real generate worker (BullMQ, started by `startWorkers` as in the
 * worker's main) with the instrumented SageMaker port, and the emulator's multi-model endpoint.
 */
describe('tracing: POST /v1/generations → generate job → sagemaker.InvokeEndpoint', () => {
  const exporter = new InMemorySpanExporter();
  let h: GenerationHarness;
  let key: string;
  let tracing: Tracing | undefined;
  let workers: Map<string, Worker>;
  let destroyRuntime: () => void;

  beforeAll(async () => {
    h = await startGenerationHarness();
    key = await h.keyFor('acme');
    await h.registerModel('acme', 'mdl_traced', [[20, 90, 200]]);
    const { host, port } = h.redis.options;
    const url = `redis://${host}:${port}`;
    const config = loadWorkerConfig({
      ...WORKER_TEST_ENV,
      REDIS_URL: url,
      QUEUE_PREFIX: h.keySpace.queuePrefix,
      S3_BUCKET: h.emulator.bucket,
      S3_ENDPOINT: h.emulator.s3Endpoint,
      SAGEMAKER_ENDPOINT: h.emulator.runtimeEndpoint,
      MME_ENDPOINT: h.emulator.mmeEndpoint,
      MME_PREFIX: h.emulator.mmePrefix,
    });
    const logger = createLogger({ name: 'worker-test', level: 'silent' });
    const runtime = sageMakerRuntimeClientFor(h.emulator);
    destroyRuntime = () => runtime.destroy();
    const metrics = createWorkerMetrics({ defaultMetrics: false });
    const deps = {
      config,
      logger,
      redis: h.redis,
      keySpace: h.keySpace,
      objects: h.objects,
      asyncInference: new InstrumentedAsyncInference(new SageMakerAsyncInference(runtime), metrics),
      mme: new InstrumentedMultiModelInference(new SageMakerMultiModelInference(runtime), metrics),
      metrics,
      events: new EventLog(h.redis, h.keySpace),
    };
    workers = startWorkers({
      registry: createProcessors(deps),
      connection: { url, maxRetriesPerRequest: null },
      prefix: h.keySpace.queuePrefix,
      logger,
      lockDuration: config.LOCK_DURATION,
      stalledInterval: config.STALLED_INTERVAL,
    }) as Map<string, Worker>;
    // As the API's main does when OTEL_ENABLED: the queue's jobs carry the caller's trace context.
    carryTraceContext(h.queue);
  });
  afterAll(async () => {
    await closeWorkers(workers as never);
    destroyRuntime();
    await tracing?.shutdown();
    await h.close();
  });

  const generate = async () => {
    const res = await request(h.app)
      .post('/v1/generations')
      .set('authorization', `Bearer ${key}`)
      .send({ model: 'mdl_traced', prompt: 'portrait of {trigger}', numImages: 2, seed: 7 })
      .expect(202);
    const id = res.body.id as string;
    await eventually(
      async () => {
        const got = await request(h.app).get(`/v1/generations/${id}`).set('authorization', `Bearer ${key}`);
        return got.body.status === 'succeeded' ? true : undefined;
      },
      20_000,
      `generation ${id}`,
    );
    return (await h.queue.getJob(id))!;
  };

  it('tracing off (the default): the job carries no trace context and nothing is recorded', async () => {
    const job = await generate();
    expect(job.data).not.toHaveProperty('trace');
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('tracing on: server span → generate job span → SageMaker client span, all in ONE trace', async () => {
    tracing = startTracing({ serviceName: 'dreamqueue-test', exporter });
    const job = await generate();
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();

    // (The in-process emulator's own HTTP server is traced too; its spans are separate traces.)
    const server = only(spans, (s) => s.kind === SpanKind.SERVER && s.attributes['url.path'] === '/v1/generations');
    expect(server.attributes['http.request.method']).toBe('POST');
    const traceId = server.spanContext().traceId;
    expect(job.data.trace?.traceparent).toBe(`00-${traceId}-${server.spanContext().spanId}-01`);

    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const jobSpan = only(inTrace, (s) => s.name === 'generate process');
    expect(jobSpan.kind).toBe(SpanKind.CONSUMER);
    expect(jobSpan.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(jobSpan.attributes).toMatchObject({
      'messaging.system': 'bullmq',
      'messaging.destination.name': 'generate',
      'messaging.message.id': job.id,
    });

    const calls = inTrace.filter((s) => s.name === 'sagemaker.InvokeEndpoint');
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const call of calls) {
      expect(call.kind).toBe(SpanKind.CLIENT);
      expect(call.parentSpanContext?.spanId).toBe(jobSpan.spanContext().spanId);
      expect(call.attributes).toEqual({
        'rpc.system': 'aws-api',
        'rpc.method': 'InvokeEndpoint',
        'aws.sagemaker.endpoint': h.emulator.mmeEndpoint,
        'aws.sagemaker.target_model': expect.stringMatching(/^[a-z0-9-]+\.tar\.gz$/),
      });
    }
    // No span attribute carries a URL with credentials or a presigned query.
    for (const span of spans) {
      expect(JSON.stringify(span.attributes)).not.toMatch(/X-Amz-|Signature=|authorization|Bearer/i);
    }
  });
});

function only(spans: ReadableSpan[], match: (s: ReadableSpan) => boolean): ReadableSpan {
  const found = spans.filter(match);
  expect(found).toHaveLength(1);
  return found[0]!;
}
