import { type Logger } from '@dreamqueue/logger';
import { type ModelRecord } from '@dreamqueue/records';
import { keys, type ObjectStore } from '@dreamqueue/storage';

/**
 * Removes what a deleted model left in S3: the registered artifact in the MME prefix (so it can never be
 * loaded again), the training tar and the photos. Best effort: a failure is logged, and the worker removes
 * the artifact again if a late training result arrives.
 */
export async function removeModelArtifacts(
  deps: { objects: ObjectStore; mmePrefix: string },
  record: ModelRecord,
  logger?: Logger,
): Promise<void> {
  const targets = [keys.trainingInput(record.tenantId, record.id)];
  for (let i = 0; i < record.photoCount; i++) targets.push(keys.trainingPhoto(record.tenantId, record.id, i));
  if (record.targetModel) targets.unshift(`${deps.mmePrefix}${record.targetModel}`);
  for (const key of targets) {
    await deps.objects
      .delete(key)
      .catch((err: unknown) => logger?.warn({ err, modelId: record.id }, 'could not remove a deleted model object'));
  }
}
