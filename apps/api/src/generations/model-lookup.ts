import { conflict, notFound } from '@dreamqueue/errors';
import { type ModelRecord, type ModelStore } from '@dreamqueue/records';
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
  /** Judges a model record read elsewhere (e.g. returned by the generation intake script) as `lookup` would. */
  judge(tenantId: string, modelId: string, stored: ModelRecord | undefined): Promise<ModelLookupResult>;
  /**
   * The model as this process last found it ready, or undefined. Only a hint to build a request from: whoever
   * uses it must re-check it atomically with its write (`create-generation-17.lua` does).
   */
  lastReady(tenantId: string, modelId: string): ReadyModel | undefined;
}

/** 404 for a model that does not exist for this tenant; 409 `model_not_ready` for one that is not usable yet. */
export async function requireReadyModel(models: ModelLookup, tenantId: string, modelId: string): Promise<ReadyModel> {
  return readyOrThrow(await models.lookup(tenantId, modelId), modelId);
}

/** `requireReadyModel` for a lookup result already at hand. */
export function readyOrThrow(result: ModelLookupResult, modelId: string): ReadyModel {
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
 * process, kept for good: artifacts are never overwritten, a new version gets a new name. Ready models are
 * remembered (`lastReady`) as hints, forgotten when a later read finds them not ready.
 */
export class ModelStoreLookup implements ModelLookup {
  private readonly etags = new Map<string, string>();
  private readonly ready = new Map<string, ReadyModel>();

  constructor(
    private readonly models: Pick<ModelStore, 'get'>,
    private readonly objects: Pick<ObjectStore, 'head'>,
    private readonly mmePrefix: string,
    /** Legacy ETags, and ready models, remembered (oldest forgotten first). @defaultValue 10000 */
    private readonly etagCacheSize = 10_000,
  ) {}

  async lookup(tenantId: string, modelId: string): Promise<ModelLookupResult> {
    return this.judge(tenantId, modelId, await this.models.get(tenantId, modelId));
  }

  lastReady(tenantId: string, modelId: string): ReadyModel | undefined {
    return this.ready.get(`${tenantId}/${modelId}`);
  }

  async judge(tenantId: string, modelId: string, stored: ModelRecord | undefined): Promise<ModelLookupResult> {
    const result = await this.readiness(stored);
    this.remember(`${tenantId}/${modelId}`, result);
    return result;
  }

  private async readiness(stored: ModelRecord | undefined): Promise<ModelLookupResult> {
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

  private remember(key: string, result: ModelLookupResult): void {
    this.ready.delete(key);
    if (!result.found || !result.ready) return;
    if (this.ready.size >= this.etagCacheSize) this.ready.delete(this.ready.keys().next().value!);
    this.ready.set(key, result.model);
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
