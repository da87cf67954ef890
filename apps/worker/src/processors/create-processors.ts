import { UnrecoverableError } from 'bullmq';
import { type ProcessorRegistry } from '../processor-registry';
import { trainProcessorEntry } from '../train/train.entry';
import { webhookProcessorEntry } from '../webhooks/webhooks.entry';
import { type WorkerDeps } from '../worker-deps';

/** Wires each catalog queue to its processor. */
export function createProcessors(deps: WorkerDeps): ProcessorRegistry {
  const notYet = (queue: string) => async () => {
    deps.logger.error({ queue }, 'no processor is wired for this queue');
    throw new UnrecoverableError(`The ${queue} processor is not available in this build`);
  };
  return {
    train: trainProcessorEntry(deps),
    generate: { process: notYet('generate'), options: { concurrency: deps.config.GENERATE_CONCURRENCY } },
    webhooks: webhookProcessorEntry(deps),
  };
}
