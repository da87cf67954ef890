import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The worker's Prometheus metrics, on its own Registry (served at `/metrics` on the health port).
 * Queue depth and age are served by the API, which sees every queue; the worker reports what only it
 * observes: job durations, SageMaker calls, cold loads, images, trainings and webhook attempts.
 */
export interface WorkerMetrics {
  registry: Registry;
  jobDuration: Histogram<'queue' | 'outcome'>;
  sagemakerDuration: Histogram<'op' | 'outcome'>;
  sagemakerErrors: Counter<'op' | 'kind'>;
  sagemakerThrottles: Counter<'op'>;
  coldLoads: Counter<'op'>;
  images: Counter;
  trainings: Counter<'outcome'>;
  gpuSeconds: Counter<'kind'>;
  webhookAttempts: Counter<'outcome'>;
  eventsLost: Counter<'group'>;
  canaryRoundTrip: Gauge;
}

export interface WorkerMetricsOptions {
  /** The generate worker's current adaptive (AIMD) concurrency limit, read on scrape. */
  adaptiveLimit?: () => number | undefined;
  /** Process metrics (CPU, memory, event loop lag). @defaultValue true */
  defaultMetrics?: boolean;
}

export function createWorkerMetrics(options: WorkerMetricsOptions = {}): WorkerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const adaptiveLimit = options.adaptiveLimit;
  new Gauge({
    name: 'dq_generate_adaptive_limit',
    help: 'Current adaptive concurrency limit of the generate worker (AIMD on SageMaker signals).',
    registers,
    collect() {
      const value = adaptiveLimit?.();
      if (value !== undefined) this.set(value);
    },
  });
  return {
    registry,
    jobDuration: new Histogram({
      name: 'dq_job_duration_seconds',
      help: 'Time from a job starting to finishing (finishedOn - processedOn), by queue and outcome.',
      labelNames: ['queue', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    sagemakerDuration: new Histogram({
      name: 'dq_sagemaker_call_duration_seconds',
      help: 'SageMaker runtime call latency by operation and outcome (ok or the error kind).',
      labelNames: ['op', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 70],
      registers,
    }),
    sagemakerErrors: new Counter({
      name: 'dq_sagemaker_errors_total',
      help: 'Failed SageMaker calls by operation and kind.',
      labelNames: ['op', 'kind'],
      registers,
    }),
    sagemakerThrottles: new Counter({
      name: 'dq_sagemaker_throttles_total',
      help: 'SageMaker calls answered with throttling.',
      labelNames: ['op'],
      registers,
    }),
    coldLoads: new Counter({
      name: 'dq_mme_cold_loads_total',
      help: 'Calls answered ModelNotReadyException (the MME was loading the model).',
      labelNames: ['op'],
      registers,
    }),
    images: new Counter({
      name: 'dq_images_generated_total',
      help: 'Images returned by the multi-model endpoint (includes warm-up calls).',
      registers,
    }),
    trainings: new Counter({
      name: 'dq_trainings_total',
      help: 'Finished trainings by outcome (from model.ready / model.failed events).',
      labelNames: ['outcome'],
      registers,
    }),
    // No tenant label: tenants grow with the customer base, and the API's usage routes answer per tenant.
    gpuSeconds: new Counter({
      name: 'dq_gpu_seconds_total',
      help: 'GPU seconds recorded in the cost ledger by kind (generate: answered MME invocations; train: trainings).',
      labelNames: ['kind'],
      registers,
    }),
    webhookAttempts: new Counter({
      name: 'dq_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    eventsLost: new Counter({
      name: 'dq_events_lost_total',
      help: 'Events a consumer group never handled because they left the stream while pending (should stay 0).',
      labelNames: ['group'],
      registers,
    }),
    canaryRoundTrip: new Gauge({
      name: 'dq_worker_canary_round_trip_seconds',
      help: 'Latency of the last health canary job round trip.',
      registers,
    }),
  };
}
