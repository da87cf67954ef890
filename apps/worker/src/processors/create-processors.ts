import { generateProcessorEntry } from '../generate/generate.entry';
import { type ProcessorRegistry } from '../processor-registry';
import { trainProcessorEntry } from '../train/train.entry';
import { webhookProcessorEntry } from '../webhooks/webhooks.entry';
import { type WorkerDeps } from '../worker-deps';

/** Wires each catalog queue to its processor. */
export function createProcessors(deps: WorkerDeps): ProcessorRegistry {
  return {
    train: trainProcessorEntry(deps),
    generate: generateProcessorEntry(deps),
    webhooks: webhookProcessorEntry(deps),
  };
}
