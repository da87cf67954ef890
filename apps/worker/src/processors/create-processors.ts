import { generateProcessorEntry } from '../generate/generate.module';
import { type ProcessorRegistry } from '../processor-registry';
import { trainProcessorEntry } from '../train/train.module';
import { webhookProcessorEntry } from '../webhooks/webhooks.module';
import { type WorkerDeps } from '../worker-deps';

/** Wires each catalog queue to its processor. */
export function createProcessors(deps: WorkerDeps): ProcessorRegistry {
  return {
    train: trainProcessorEntry(deps),
    generate: generateProcessorEntry(deps),
    webhooks: webhookProcessorEntry(deps),
  };
}
