import { injectTraceContext } from './trace-context';

/** The two enqueue methods of a BullMQ Queue, structurally (this lib does not depend on BullMQ). */
export interface EnqueuingQueue {
  add(name: string, data: never, opts?: never): Promise<unknown>;
  addBulk(jobs: never[]): Promise<unknown[]>;
}

type Data = Record<string, unknown> | null | undefined;

/**
 * Makes every job `queue` enqueues carry the W3C trace context of the caller's active span in
 * `data.trace.traceparent` (the worker's job span continues it). One call per queue in the composition
 * root, only when tracing is enabled; a job already carrying a trace, or enqueued outside any span, is
 * left as it is.
 */
export function carryTraceContext(queue: EnqueuingQueue): void {
  const target = queue as unknown as {
    add(name: string, data: Data, opts?: unknown): Promise<unknown>;
    addBulk(jobs: Array<{ name: string; data: Data; opts?: unknown }>): Promise<unknown[]>;
  };
  const add = target.add.bind(target);
  const addBulk = target.addBulk.bind(target);
  target.add = (name, data, opts) => add(name, withTraceContext(data), opts);
  target.addBulk = (jobs) => {
    const traceparent = injectTraceContext();
    return addBulk(traceparent ? jobs.map((job) => ({ ...job, data: withTraceContext(job.data, traceparent) })) : jobs);
  };
}

/**
 * A job's data carrying the caller's trace context in `trace.traceparent`, for a job added without
 * `queue.add` (written inside a script that accepts the work); `data` itself when tracing is off (one
 * boolean test), nothing is being traced, or it carries a trace already.
 */
export function withTraceContext<D extends Data>(data: D, traceparent = injectTraceContext()): D {
  if (!traceparent || !data || typeof data !== 'object' || 'trace' in data) return data;
  return { ...data, trace: { traceparent } };
}
