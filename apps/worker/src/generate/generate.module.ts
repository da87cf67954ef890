import { type Worker } from 'bullmq';
import { BatchStore, GenerationStore, ModelDemand } from '@dreamqueue/records';
import { type ProcessorEntry } from '../processor-registry';
import { type WorkerDeps } from '../worker-deps';
import { AdaptiveLimiter } from './adaptive-limiter';
import { createGenerateProcessor } from './generate.processor';
import { ModelAffinity } from './model-affinity';
import { WarmStamp } from './warm-stamp';

export interface GenerateEntry extends ProcessorEntry<'generate'> {
  /** The AIMD gate; `limiter.limit` is the current value (for metrics). */
  limiter: AdaptiveLimiter;
}

/** The `generate` queue's registry entry, built from the worker's shared dependencies. */
export function generateProcessorEntry(deps: WorkerDeps): GenerateEntry {
  const { config } = deps;
  let worker: Worker | undefined;
  const limiter = new AdaptiveLimiter({
    initial: Math.min(config.GENERATE_INITIAL_PERMITS, config.GENERATE_CONCURRENCY),
    max: config.GENERATE_CONCURRENCY,
    logger: deps.logger.child({ queue: 'generate' }),
  });
  const demand = new ModelDemand(deps.redis, deps.keySpace);
  const process = createGenerateProcessor({
    logger: deps.logger,
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
    options: { concurrency: config.GENERATE_CONCURRENCY },
    onWorker: (w) => {
      worker = w;
    },
  };
}
