export { carryTraceContext, withTraceContext, type EnqueuingQueue } from './carry-trace-context';
export { withClientSpan } from './client-span';
export { withJobSpan, type TracedJob } from './job-span';
export { createOtlpExporter, startTracing, type StartTracingOptions, type Tracing } from './start-tracing';
export { extractTraceContext, injectTraceContext, type TraceCarrier } from './trace-context';
export { isTracingEnabled } from './tracing-state';
