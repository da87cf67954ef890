import { SpanKind, context, trace, type Attributes } from '@opentelemetry/api';
import { TRACER_NAME, runInSpan } from './job-span';
import { isTracingEnabled } from './tracing-state';

/**
 * Runs `fn` inside a client span (a call to another service) that is a child of the active span, e.g.
 * `sagemaker.InvokeEndpoint` inside a job span. Attributes name things (endpoint, target model), never
 * URLs, keys or payloads. With tracing off it just calls `fn`.
 */
export async function withClientSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  if (!isTracingEnabled()) return fn();
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { kind: SpanKind.CLIENT, attributes });
  return runInSpan(span, () => context.with(trace.setSpan(context.active(), span), fn));
}
