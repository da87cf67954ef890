import { join } from 'node:path';
import { PendingTrainings } from './pending-trainings';
import { TrainingQueue } from './training-queue';
import { failTraining, runTraining, type TrainingRunnerDeps } from './training-runner';

/**
 * Connects the queue, the runner and on-disk persistence: a request leaves the pending directory once it
 * has produced its result (or was expired), never when the emulator is merely closing.
 */
export function createTrainingQueue(deps: TrainingRunnerDeps & { dataDir: string }): {
  queue: TrainingQueue;
  pending: PendingTrainings;
} {
  const pending = new PendingTrainings(join(deps.dataDir, 'trainings'));
  const queue = new TrainingQueue({
    settings: deps.settings,
    clock: deps.clock,
    run: async (request, signal) => {
      await runTraining(deps, request, signal);
      if (!signal.aborted) pending.remove(request);
    },
    expire: async (request) => {
      await failTraining(
        deps,
        request,
        `Request expired: it waited longer than RequestTTLSeconds (${request.requestTtlSeconds} s) before a training slot was free.`,
      );
      pending.remove(request);
    },
    onError: (err, request) => {
      deps.logger.error({ err, inferenceId: request.inferenceId }, 'training crashed');
      // Never leave a client polling forever because of an emulator bug: report it at the FailureLocation.
      failTraining(deps, request, `Internal emulator error: ${(err as Error).message}`)
        .then(() => pending.remove(request))
        .catch((writeErr: unknown) => deps.logger.error({ err: writeErr }, 'could not write failure object'));
    },
  });
  return { queue, pending };
}
