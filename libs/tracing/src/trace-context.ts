import { ROOT_CONTEXT, context, propagation, type Context } from '@opentelemetry/api';
import { isTracingEnabled } from './tracing-state';

/** What a job carries across the queue: the W3C trace context of the request that enqueued it. */
export interface TraceCarrier {
  traceparent: string;
}

/**
 * The W3C `traceparent` of the active span (e.g. the HTTP request being served), to put into a job;
 * undefined when tracing is off or nothing is being traced.
 */
export function injectTraceContext(): string | undefined {
  if (!isTracingEnabled()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a carried `traceparent` describes (the root context when there is none). */
export function extractTraceContext(carrier: Partial<TraceCarrier> | undefined): Context {
  if (!carrier?.traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent: carrier.traceparent });
}
