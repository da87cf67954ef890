import { conflict, notFound } from '@dreamqueue/errors';
import { type ModelStore } from '@dreamqueue/records';
import { type ObjectStore } from '@dreamqueue/storage';

/** What a generation needs from a tenant's model: the MME artifact (name + ETag) and the trigger phrase. */
export interface ReadyModel {
  targetModel: string;
  artifactEtag: string;
  triggerPhrase: string;
}

export type ModelLookupResult =
  { found: false } | { found: true; ready: false; status: string } | { found: true; ready: true; model: ReadyModel };

/** The port generations and batches read models through; `TargetModel` always comes from here, never from input. */
export interface ModelLookup {
  lookup(tenantId: string, modelId: string): Promise<ModelLookupResult>;
}

/** 404 for a model that does not exist for this tenant; 409 `model_not_ready` for one that is not usable yet. */
export async function requireReadyModel(models: ModelLookup, tenantId: string, modelId: string): Promise<ReadyModel> {
  const result = await models.lookup(tenantId, modelId);
  if (!result.found) throw notFound('Model', modelId);
  if (!result.ready)
    throw conflict('model_not_ready', `Model ${modelId} is ${result.status}; generations need a ready model.`, {
      status: result.status,
    });
  return result.model;
}

/**
 * Reads the training side's model record (`ModelStore`). The artifact's ETag is on the record (the train
 * `register` step records it); a model registered before that falls back to one S3 HEAD per artifact and
 * process, kept for good: artifacts are never overwritten, a new version gets a new name.
 */
export class ModelStoreLookup implements ModelLookup {
  private readonly etags = new Map<string, string>();

  constructor(
    private readonly models: Pick<ModelStore, 'get'>,
    private readonly objects: Pick<ObjectStore, 'head'>,
    private readonly mmePrefix: string,
    /** Legacy ETags remembered (oldest forgotten first). @defaultValue 10000 */
    private readonly etagCacheSize = 10_000,
  ) {}

  async lookup(tenantId: string, modelId: string): Promise<ModelLookupResult> {
    const stored = await this.models.get(tenantId, modelId);
    if (!stored || stored.status === 'deleted') return { found: false };
    if (stored.status !== 'ready' || !stored.targetModel) return { found: true, ready: false, status: stored.status };
    const etag = stored.artifactEtag ?? (await this.legacyEtag(stored.targetModel));
    if (!etag) return { found: true, ready: false, status: 'artifact_missing' };
    return {
      found: true,
      ready: true,
      model: { targetModel: stored.targetModel, artifactEtag: etag, triggerPhrase: stored.triggerPhrase ?? '' },
    };
  }

  private async legacyEtag(targetModel: string): Promise<string | undefined> {
    const cached = this.etags.get(targetModel);
    if (cached) return cached;
    const head = await this.objects.head(`${this.mmePrefix}${targetModel}`);
    if (!head) return undefined; // not cached: the artifact may appear (a registration in progress)
    if (this.etags.size >= this.etagCacheSize) this.etags.delete(this.etags.keys().next().value!);
    this.etags.set(targetModel, head.etag);
    return head.etag;
  }
}
