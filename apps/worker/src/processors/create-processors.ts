import { generateModule } from '../generate/generate.module';
import { type ProcessorRegistry } from '../processor-registry';
import { trainModule } from '../train/train.module';
import { webhooksModule } from '../webhooks/webhooks.module';
import { type WorkerDeps } from '../worker-deps';

/** Wires each catalog queue to its processor. */
export function createProcessors(deps: WorkerDeps): ProcessorRegistry {
  return {
    train: trainModule(deps),
    generate: generateModule(deps),
    webhooks: webhooksModule(deps),
  };
}
