import { z } from 'zod';
import { ALLOW_HOSTS_FORMAT, invalidAllowHosts } from '@dreamqueue/webhook-address';
import { boolEnv, commonEnv, csvEnv, durationMs, intEnv, loadConfig } from '@dreamqueue/config';

export const WorkerEnv = z.object({
  ...commonEnv,
  /** Jobs one process runs at once per queue. Waiting trainings hold no slot (they are delayed jobs). */
  TRAIN_CONCURRENCY: intEnv(4, 1, 256),
  GENERATE_CONCURRENCY: intEnv(4, 1, 256),
  /** Start value of the adaptive (AIMD) limit on in-flight MME invocations per process; it never exceeds GENERATE_CONCURRENCY. */
  GENERATE_INITIAL_PERMITS: intEnv(4, 1, 256),
  /** How long the whole generate queue pauses after a ThrottlingException (the adaptive limit also halves). */
  GENERATE_THROTTLE_BACKOFF: durationMs('1s'),
  /** How long ModelNotReadyException keeps being retried before a generation fails (SageMaker loads for up to 360 s). */
  GENERATE_COLD_LOAD_BUDGET: durationMs('360s'),
  /** Delay between invocations while a model is still loading. */
  GENERATE_COLD_RETRY_DELAY: durationMs('5s'),
  /** LoRA affinity: defer a cold model's job briefly while work for a warm model is waiting. */
  GENERATE_AFFINITY: boolEnv(true),
  /** How long one affinity deferral lasts. */
  GENERATE_AFFINITY_DEFER: durationMs('2s'),
  /** Deferrals per job at most, so a cold model's work always runs. */
  GENERATE_AFFINITY_MAX_DEFERRALS: intEnv(3, 0, 100),
  /** Models the endpoint keeps loaded (its LRU size across instances); the most recently used count as warm. */
  GENERATE_WARM_MODELS: intEnv(8, 1, 1000),
  /** A model invoked within this window counts as warm. */
  GENERATE_WARM_WINDOW: durationMs('60s'),
  /** Model-aware dispatch of batch work: per-model backlogs in Redis, warm models first, pre-warming (docs/generation.md). Off: queue order with LoRA affinity. */
  GENERATE_DISPATCH: boolEnv(true),
  /** Batch jobs released per lane (one instance's slots) ahead of its free slots (they wait in the worker, ready to start). */
  GENERATE_DISPATCH_LOOKAHEAD: intEnv(2, 0, 64),
  /** Inference slots of one MME instance: the most invocations one lane (instance) runs at once (more would load a model on a further instance). */
  GENERATE_MODEL_SLOTS: intEnv(4, 1, 256),
  /** A model's batch work waiting longer than this goes first, whatever is warm (the bound on starvation). */
  GENERATE_DISPATCH_MAX_WAIT: durationMs('10m'),
  /** A pre-warm call hangs up after this long; it only has to start the model's load on the endpoint. */
  GENERATE_WARMUP_ABORT: durationMs('2s'),
  /** Cold-load time assumed until the worker has measured one (it sets how early the next model is pre-warmed). */
  GENERATE_COLD_LOAD_ESTIMATE: durationMs('60s'),
  /** Above the concurrency the endpoint last throttled at, the adaptive limit tries one more at most this often. */
  GENERATE_LIMIT_PROBE_INTERVAL: durationMs('60s'),
  /** Minimum time between two batch.progress events of one batch. */
  BATCH_PROGRESS_INTERVAL: durationMs('2s'),
  WEBHOOK_CONCURRENCY: intEnv(8, 1, 256),
  /** BullMQ lock; a worker that stops renewing it for this long loses the job to another worker. */
  LOCK_DURATION: durationMs('30s'),
  STALLED_INTERVAL: durationMs('30s'),
  /** InvocationTimeoutSeconds sent with every training (AWS applies 900 s when it is absent; max 3600). */
  TRAIN_INVOCATION_TIMEOUT_SECONDS: intEnv(3600, 60, 3600),
  /** How long a training may wait in the endpoint's queue; also sent as RequestTTLSeconds (60 s–6 h). */
  TRAIN_QUEUE_MARGIN: durationMs('2h'),
  /** Give up on a training this long after submission ("training timed out"); 0 = invocation timeout + queue margin. */
  TRAIN_DEADLINE: durationMs('0'),
  /** First wait between output checks; each check waits 1.5× longer, up to TRAIN_POLL_MAX_INTERVAL. */
  TRAIN_POLL_INTERVAL: durationMs('15s'),
  TRAIN_POLL_MAX_INTERVAL: durationMs('2m'),
  /** A submission claim with no recorded result for this long is presumed abandoned (its worker died mid-call). */
  TRAIN_CLAIM_STALE: durationMs('2m'),
  /** Trainings submitted per model at most (a transient training failure is resubmitted once by default). */
  TRAIN_MAX_SUBMISSIONS: intEnv(2, 1, 5),
  /** How long the warm step keeps retrying ModelNotReadyException (the MME's load window). */
  TRAIN_WARM_WINDOW: durationMs('360s'),
  TRAIN_WARM_RETRY_INTERVAL: durationMs('10s'),
  /** Model errors (5xx) the warm step tolerates before declaring the artifact unloadable. */
  TRAIN_WARM_MAX_ERRORS: intEnv(3, 1, 20),
  /** How long the whole train queue pauses when SageMaker throttles. */
  TRAIN_THROTTLE_BACKOFF: durationMs('5s'),
  /** Port for the worker's own /healthz and /readyz (0 picks a free one). */
  WORKER_HEALTH_PORT: intEnv(3001, 0, 65535),
  /** Interface the health/metrics port binds to; 0.0.0.0 in containers so probes can reach it. */
  WORKER_HEALTH_HOST: z.string().default('127.0.0.1'),
  /** How often the health canary job makes a round trip through this process's own BullMQ worker. */
  CANARY_INTERVAL: durationMs('5s'),
  /** /readyz fails when the last canary round trip is older than this. */
  READY_MAX_AGE: durationMs('30s'),
  /** /healthz fails (restart me) when Redis is connected but no canary came back for this long. */
  LIVE_MAX_AGE: durationMs('5m'),
  /** Bearer token for /metrics on the health port; unset leaves it open (local mode). */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  /** Allow http:// webhook URLs (local development only; production requires https). */
  WEBHOOK_ALLOW_HTTP: boolEnv(false),
  /** `host:port` webhook targets exempt from the private-address check (local development only), e.g. 127.0.0.1:4000. */
  WEBHOOK_ALLOW_HOSTS: csvEnv([]).refine((entries) => invalidAllowHosts(entries).length === 0, ALLOW_HOSTS_FORMAT),
  /** Budget for one webhook attempt (connect, send, response). */
  WEBHOOK_TIMEOUT: durationMs('10s'),
  /** First webhook retry delay; each retry doubles it (8 attempts: about 2 min in total at 1 s). */
  WEBHOOK_BACKOFF: durationMs('1s'),
  /** How long the previous webhook secret keeps signing after a rotation. */
  WEBHOOK_SECRET_GRACE: durationMs('24h'),
  /** Job-search index entries whose last status change is older than this are pruned (720h = 30 days). */
  JOB_INDEX_RETENTION: durationMs('720h'),
  /** How often a worker tries to prune the job-search index (one worker per interval holds the lease). */
  JOB_INDEX_PRUNE_INTERVAL: durationMs('10m'),
  /** How often a worker tries to reconcile stuck work (one worker per interval holds the lease); 0 turns the loop off. */
  RECONCILE_INTERVAL: durationMs('60s'),
  /** Resources whose last change is younger than this are never touched by the reconciler (work in flight). */
  RECONCILE_GRACE: durationMs('5m'),
  /** Resources the reconciler reads per page (it reads pages until none is due, at most 2000 per kind per run). */
  RECONCILE_BATCH_SIZE: intEnv(100, 1, 10_000),
});

export type WorkerConfig = z.output<typeof WorkerEnv>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): Readonly<WorkerConfig> {
  return loadConfig(WorkerEnv, env);
}
