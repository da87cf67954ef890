import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { extractTraceContext, type TraceCarrier } from './trace-context';
import { isTracingEnabled } from './tracing-state';

/** The parts of a BullMQ job a span describes (kept structural: this lib does not depend on BullMQ). */
export interface TracedJob {
  id?: string;
  queueName: string;
  attemptsMade: number;
  data?: { trace?: Partial<TraceCarrier>; tenantId?: unknown } | null;
}

/**
 * BullMQ's control-flow errors: the processor moved the job (delayed it, rate-limited the queue, waits for
 * children) rather than failed. They end the span without an error status.
 */
const CONTROL_FLOW = new Set(['DelayedError', 'RateLimitError', 'WaitingChildrenError', 'WaitingError']);

export const TRACER_NAME = '@dreamqueue/tracing';

/**
 * Runs `fn` inside a consumer span for `job` that continues the trace the job carries in
 * `data.trace.traceparent` (the request that enqueued it); a job without one starts a new trace.
 * With tracing off it just calls `fn`.
 */
export async function withJobSpan<T>(job: TracedJob, name: string, fn: () => Promise<T>): Promise<T> {
  if (!isTracingEnabled()) return fn();
  const parent = extractTraceContext(job.data?.trace);
  const span = trace.getTracer(TRACER_NAME).startSpan(
    name,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'bullmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': job.queueName,
        ...(job.id ? { 'messaging.message.id': job.id } : {}),
        'dreamqueue.job.attempt': job.attemptsMade + 1,
        ...(typeof job.data?.tenantId === 'string' ? { 'dreamqueue.tenant_id': job.data.tenantId } : {}),
      },
    },
    parent,
  );
  return runInSpan(span, () => context.with(trace.setSpan(parent, span), fn));
}

/** Ends `span` after `fn`, recording a failure (but not a BullMQ control-flow error) on it. */
export async function runInSpan<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const name = (err as Error | undefined)?.name ?? 'Error';
    if (CONTROL_FLOW.has(name)) span.setAttribute('dreamqueue.job.moved', name);
    else {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: name });
    }
    throw err;
  } finally {
    span.end();
  }
}
