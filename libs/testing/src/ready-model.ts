import { type KeySpace, type Redis } from '@dreamqueue/redis';

export interface ReadyModel {
  tenantId: string;
  modelId: string;
  targetModel: string;
  triggerPhrase: string;
  /** Omitted: a model registered before ETags were recorded (generations HEAD the artifact). */
  artifactEtag?: string;
}

/**
 * Records a ready model without a training: only the fields a generation reads, under `ModelStore`'s key
 * (`model:<tenant>:<id>`). No event and no index entry, as if it had been trained long ago.
 */
export async function recordReadyModel(redis: Redis, keySpace: KeySpace, model: ReadyModel): Promise<void> {
  const now = new Date().toISOString();
  const record = {
    id: model.modelId,
    tenantId: model.tenantId,
    status: 'ready',
    targetModel: model.targetModel,
    triggerPhrase: model.triggerPhrase,
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...(model.artifactEtag && { artifactEtag: model.artifactEtag }),
  };
  await redis.set(keySpace.key('model', model.tenantId, model.modelId), JSON.stringify(record));
}
