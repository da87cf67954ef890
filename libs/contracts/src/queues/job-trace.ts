import { z } from 'zod';

/**
 * The W3C trace context of the request that enqueued a job, so the worker's spans continue its trace.
 * Present only when tracing is enabled. Never validated beyond its size: a job must not fail over tracing.
 */
export const JobTrace = z.object({ traceparent: z.string().max(256) });
export type JobTrace = z.output<typeof JobTrace>;
