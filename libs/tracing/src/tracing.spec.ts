import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { withClientSpan } from './client-span';
import { withJobSpan } from './job-span';
import { startTracing, type Tracing } from './start-tracing';
import { injectTraceContext } from './trace-context';

const job = (traceparent?: string) => ({
  id: 'gen_1',
  queueName: 'generate',
  attemptsMade: 0,
  data: { tenantId: 'acme', ...(traceparent ? { trace: { traceparent } } : {}) },
});

function get(server: Server, path: string): Promise<void> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => res.resume().on('end', resolve))
      .on('error', reject)
      .end();
  });
}

describe('tracing off (the default)', () => {
  it('puts no trace context into jobs and runs wrapped work unchanged', async () => {
    expect(injectTraceContext()).toBeUndefined();
    await expect(withJobSpan(job(), 'generate process', async () => 'done')).resolves.toBe('done');
    await expect(withClientSpan('sagemaker.InvokeEndpoint', {}, async () => injectTraceContext())).resolves.toBe(
      undefined,
    );
  });
});

describe('tracing on (in-memory exporter, real HTTP server)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let server: Server;
  let carried: string | undefined;

  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'tracing-test', exporter });
    server = createServer((req, res) => {
      carried = injectTraceContext();
      res.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterAll(async () => {
    server.close();
    await tracing.shutdown();
  });
  beforeEach(() => exporter.reset());

  it('continues the request’s trace in the job span and the client span inside it', async () => {
    await get(server, '/v1/generations');
    expect(carried).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    const result = await withJobSpan(job(carried), 'generate process', () =>
      withClientSpan('sagemaker.InvokeEndpoint', { 'aws.sagemaker.endpoint': 'mme' }, async () => 42),
    );
    expect(result).toBe(42);
    await tracing.forceFlush();

    const spans = exporter.getFinishedSpans();
    const server_ = spans.find((s) => s.kind === SpanKind.SERVER)!;
    const jobSpan = spans.find((s) => s.name === 'generate process')!;
    const client = spans.find((s) => s.name === 'sagemaker.InvokeEndpoint')!;
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([server_.spanContext().traceId]));
    expect(jobSpan.kind).toBe(SpanKind.CONSUMER);
    expect(jobSpan.parentSpanContext?.spanId).toBe(server_.spanContext().spanId);
    expect(client.parentSpanContext?.spanId).toBe(jobSpan.spanContext().spanId);
    expect(jobSpan.attributes).toMatchObject({
      'messaging.destination.name': 'generate',
      'dreamqueue.tenant_id': 'acme',
    });
    expect(jobSpan.resource.attributes['service.name']).toBe('tracing-test');
  });

  it('does not trace probes, and starts a new trace for a job that carries none', async () => {
    await get(server, '/healthz');
    await withJobSpan(job(), 'train process', async () => undefined);
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['train process']);
    expect(spans[0]!.parentSpanContext).toBeUndefined();
  });

  it('marks failures as errors but not BullMQ control flow (a delayed job)', async () => {
    const delayed = Object.assign(new Error('wait'), { name: 'DelayedError' });
    await expect(withJobSpan(job(), 'a', () => Promise.reject(delayed))).rejects.toBe(delayed);
    await expect(withJobSpan(job(), 'b', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await tracing.forceFlush();
    const [a, b] = exporter.getFinishedSpans();
    expect(a!.status.code).toBe(SpanStatusCode.UNSET);
    expect(a!.attributes['dreamqueue.job.moved']).toBe('DelayedError');
    expect(b!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Error' });
  });
});
