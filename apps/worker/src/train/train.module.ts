import { type Worker } from 'bullmq';
import { ModelStore } from '@dreamqueue/records';
import { type WorkerModule } from '../processor-registry';
import { usageRecorder } from '../usage/usage-recorder';
import { type WorkerDeps } from '../worker-deps';
import { createTrainProcessor } from './train.processor';
import { trainSettingsFrom } from './train-settings';
import { TrainingClaims } from './training-claim';

/** The train module: the `train` queue's processor and options, built from the worker's shared deps. */
export function trainModule(deps: WorkerDeps): WorkerModule<'train'> {
  let worker: Worker | undefined;
  return {
    process: createTrainProcessor({
      redis: deps.redis,
      models: new ModelStore(deps.redis, deps.keySpace, deps.events),
      claims: new TrainingClaims(deps.redis, deps.keySpace),
      usage: usageRecorder(deps),
      objects: deps.objects,
      asyncInference: deps.asyncInference,
      mme: deps.mme,
      settings: trainSettingsFrom(deps.config),
      logger: deps.logger.child({ queue: 'train' }),
      now: Date.now,
      rateLimit: async (ms) => {
        if (!worker) throw new Error('The train worker is not bound yet');
        await worker.rateLimit(ms);
      },
    }),
    options: {
      concurrency: deps.config.TRAIN_CONCURRENCY,
      // Every step is idempotent and short (waiting is a delayed job), so a job interrupted by a crashed
      // worker is safe to resume many times; BullMQ's default (1) would fail a training after two crashes.
      maxStalledCount: 10,
    },
    onWorker: (w) => {
      worker = w;
    },
  };
}
