import { randomUUID } from 'node:crypto';
import { Job, type Worker } from 'bullmq';
import { BatchStore, GenerationStore, ModelDemand } from '@dreamqueue/records';
import { waitingCount } from '@dreamqueue/redis';
import { type WorkerModule } from '../processor-registry';
import { usageRecorder } from '../usage/usage-recorder';
import { type WorkerDeps } from '../worker-deps';
import { AdaptiveLimiter } from './adaptive-limiter';
import { DispatchState } from './dispatch/dispatch-state';
import { ModelDispatcher } from './dispatch/model-dispatcher';
import { createGenerateProcessor } from './generate.processor';
import { warmUpModel } from './dispatch/warm-up';
import { ModelAffinity } from './model-affinity';
import { WarmStamp } from './warm-stamp';

/** BullMQ slots for parking jobs (a few round trips each), so a large backlog becomes visible quickly. */
const PARKING_SLOTS = 16;

export interface GenerateModule extends WorkerModule<'generate'> {
  /** The AIMD gate; `limiter.limit` is the current value (for metrics). */
  limiter: AdaptiveLimiter;
}

/** The generate module: the `generate` queue's processor and options, built from the worker's shared deps. */
export function generateModule(deps: WorkerDeps): GenerateModule {
  const { config } = deps;
  let worker: Worker | undefined;
  const limiter = new AdaptiveLimiter({
    initial: Math.min(config.GENERATE_INITIAL_PERMITS, config.GENERATE_CONCURRENCY),
    max: config.GENERATE_CONCURRENCY,
    probeIntervalMs: config.GENERATE_LIMIT_PROBE_INTERVAL,
    logger: deps.logger.child({ queue: 'generate' }),
  });
  const dispatchState = new DispatchState(deps.redis, deps.keySpace);
  const dispatcher = config.GENERATE_DISPATCH
    ? new ModelDispatcher(
        {
          state: dispatchState,
          limiter,
          processId: randomUUID(),
          logger: deps.logger.child({ queue: 'generate', component: 'dispatch' }),
          promote: async (jobId) => {
            if (!worker) return 'not_parked';
            const job = await Job.fromId(worker, jobId);
            if (!job) return 'missing';
            try {
              await job.promote();
              return 'promoted';
            } catch {
              return 'not_parked'; // active or waiting already: it comes up by itself
            }
          },
          warmUp: (targetModel, abortMs) =>
            warmUpModel(deps.mme, { endpoint: config.MME_ENDPOINT, targetModel, abortMs }),
          // Before the worker runs, everything submitted is still to be admitted.
          waiting: async () => (worker ? waitingCount(deps.redis, worker) : 1),
        },
        {
          lookahead: config.GENERATE_DISPATCH_LOOKAHEAD,
          modelSlots: config.GENERATE_MODEL_SLOTS,
          maxWaitMs: config.GENERATE_DISPATCH_MAX_WAIT,
          holdPrior: config.GENERATE_WARM_MODELS,
          warmupAbortMs: config.GENERATE_WARMUP_ABORT,
          coldLoadPriorMs: config.GENERATE_COLD_LOAD_ESTIMATE,
          tickMs: 1_000,
        },
      )
    : undefined;
  const demand = new ModelDemand(deps.redis, deps.keySpace);
  const process = createGenerateProcessor({
    logger: deps.logger,
    redis: deps.redis,
    objects: deps.objects,
    mme: deps.mme,
    endpoint: config.MME_ENDPOINT,
    generations: new GenerationStore(deps.redis, deps.keySpace, deps.events),
    batches: new BatchStore(deps.redis, deps.keySpace, deps.events, {
      progressIntervalMs: config.BATCH_PROGRESS_INTERVAL,
    }),
    demand,
    limiter,
    affinity: new ModelAffinity(demand, {
      enabled: config.GENERATE_AFFINITY,
      warmWindowMs: config.GENERATE_WARM_WINDOW,
      warmModels: config.GENERATE_WARM_MODELS,
      maxDeferrals: config.GENERATE_AFFINITY_MAX_DEFERRALS,
      deferMs: config.GENERATE_AFFINITY_DEFER,
    }),
    // A stamp at most a second (or a tenth of the warm window) old answers the affinity check the same.
    warm: new WarmStamp(demand, Math.min(1_000, config.GENERATE_WARM_WINDOW / 10)),
    usage: usageRecorder(deps),
    ...(dispatcher && {
      dispatch: { dispatcher, state: dispatchState, parkMs: 2 * config.GENERATE_DISPATCH_MAX_WAIT },
    }),
    rateLimit: async (ms) => {
      if (!worker) throw new Error('The generate worker is not bound yet');
      await worker.rateLimit(ms);
    },
    settings: {
      throttleBackoffMs: config.GENERATE_THROTTLE_BACKOFF,
      coldLoadBudgetMs: config.GENERATE_COLD_LOAD_BUDGET,
      coldRetryDelayMs: config.GENERATE_COLD_RETRY_DELAY,
    },
  });
  return {
    process,
    limiter,
    // With dispatch, released jobs wait in the worker for a permit (a lookahead per lane) and parking takes
    // a slot briefly.
    options: {
      concurrency:
        config.GENERATE_CONCURRENCY +
        (dispatcher
          ? config.GENERATE_DISPATCH_LOOKAHEAD * Math.ceil(config.GENERATE_CONCURRENCY / config.GENERATE_MODEL_SLOTS) +
            PARKING_SLOTS
          : 0),
    },
    onWorker: (w) => {
      worker = w;
      if (!dispatcher) return;
      dispatcher.start();
      w.on('closing', () => dispatcher.stop());
    },
  };
}
