import { type BatchStore, type GenerationStore, type StoredEvent } from '@dreamqueue/records';

/**
 * Generation and batch events do not all carry their model id; the indexer reads it from the resource
 * record the first time it sees the resource (later events reuse the indexed value).
 */
export function resourceModelLookup(stores: { generations: GenerationStore; batches: BatchStore }) {
  return async (event: StoredEvent): Promise<string | undefined> => {
    if (event.resource === 'generation')
      return (await stores.generations.get(event.tenantId, event.resourceId))?.modelId;
    if (event.resource === 'batch') return (await stores.batches.get(event.tenantId, event.resourceId))?.modelId;
    return undefined;
  };
}
