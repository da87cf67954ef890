import { UnrecoverableError } from 'bullmq';
import { type ProcessorRegistry } from '../processor-registry';
import { webhookProcessorEntry } from '../webhooks/webhooks.entry';
import { type WorkerDeps } from '../worker-deps';

/** Wires each catalog queue to its processor. */
export function createProcessors(deps: WorkerDeps): ProcessorRegistry {
  const notYet = (queue: string) => async () => {
    deps.logger.error({ queue }, 'no processor is wired for this queue');
    throw new UnrecoverableError(`The ${queue} processor is not available in this build`);
  };
  return {
    train: { process: notYet('train'), options: { concurrency: deps.config.TRAIN_CONCURRENCY } },
    generate: { process: notYet('generate'), options: { concurrency: deps.config.GENERATE_CONCURRENCY } },
    webhooks: webhookProcessorEntry(deps),
  };
}
