import { type JobIndex, type StoredEvent } from '@dreamqueue/records';

export interface JobIndexerDeps {
  index: JobIndex;
  /**
   * The model a generation or batch belongs to, when its events do not carry `data.modelId`
   * (e.g. read from the resource record). Optional: without it such entries are not in the model facet.
   */
  modelOf?: (event: StoredEvent) => Promise<string | undefined>;
  /** Called for every event after indexing (metrics). */
  observe?: (event: StoredEvent) => void;
}

/** Handler for the deployment-wide event stream (consumer group `job-index`). Idempotent. */
export function createJobIndexer(deps: JobIndexerDeps) {
  return async (event: StoredEvent): Promise<void> => {
    let indexed = event;
    if (event.resource !== 'model' && typeof event.data?.modelId !== 'string' && deps.modelOf) {
      const modelId = (await deps.index.storedModel(event.resourceId)) ?? (await deps.modelOf(event));
      if (modelId) indexed = { ...event, data: { ...event.data, modelId } };
    }
    await deps.index.apply(indexed);
    deps.observe?.(event);
  };
}
