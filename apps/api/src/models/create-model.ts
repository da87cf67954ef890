import { type Queue } from 'bullmq';
import { type Redis } from 'ioredis';
import { newId, triggerPhrase, trainQueue, type TrainPayload, type TrainResult } from '@dreamqueue/contracts';
import { isAppError, serviceUnavailable } from '@dreamqueue/errors';
import { type Logger } from '@dreamqueue/logger';
import { type ModelRecord, type ModelStore } from '@dreamqueue/records';
import { keys, type ObjectStore } from '@dreamqueue/storage';
import { type CheckedImage } from './image-check';
import { type ModelRequest } from './model-request';

export interface CreateModelDeps {
  redis: Redis;
  models: ModelStore;
  objects: ObjectStore;
  trainQueue: Queue<TrainPayload, TrainResult>;
  logger: Logger;
}

/**
 * Stores the checked photos under server-built keys (removing them again if the intake fails before the model
 * is recorded, a refusal by the tenant's concurrent-trainings quota included), records the model as `queued`
 * (with its event, and counted against that quota in the same step) and
 * enqueues the train job with jobId = model id, so a duplicate enqueue is a no-op. If the enqueue fails the
 * model is marked failed at once — never left `queued` with no job behind it — and the caller gets 503.
 */
export async function createModel(
  deps: CreateModelDeps,
  tenantId: string,
  request: ModelRequest,
  photos: CheckedImage[],
): Promise<ModelRecord> {
  const id = newId('model');
  const stored: string[] = [];
  try {
    for (const [i, photo] of photos.entries()) {
      const key = keys.trainingPhoto(tenantId, id, i);
      await deps.objects.put(key, photo.jpeg, 'image/jpeg');
      stored.push(key);
    }
  } catch (err) {
    await removeStoredPhotos(deps, stored, id);
    throw serviceUnavailable(
      'storage_unavailable',
      'The photos could not be stored; nothing was queued. Try again.',
      err,
    );
  }
  const now = new Date().toISOString();
  const record: ModelRecord = {
    id,
    tenantId,
    name: request.name,
    token: request.token,
    subjectClass: request.subjectClass,
    triggerPhrase: triggerPhrase(request.token, request.subjectClass),
    params: request.params,
    photoCount: photos.length,
    status: 'queued',
    progress: 0,
    stages: { queued: now },
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  try {
    await deps.models.create(record);
  } catch (err) {
    await removeStoredPhotos(deps, stored, id);
    if (isAppError(err) && err.status < 500) throw err;
    throw serviceUnavailable(
      'redis_unavailable',
      'The model could not be recorded; nothing was queued. Try again.',
      err,
    );
  }
  try {
    await deps.trainQueue.add(
      trainQueue.name,
      { tenantId, modelId: id, step: 'prepare', checkpoint: {} },
      { jobId: id },
    );
  } catch (err) {
    await deps.models
      .transition(tenantId, id, 'failed', {
        failureReason: 'The training could not be queued (the queue was unavailable); nothing was trained.',
      })
      .catch((markErr: unknown) =>
        deps.logger.error({ err: markErr, modelId: id }, 'could not mark an unqueued model failed'),
      );
    throw serviceUnavailable('redis_unavailable', 'The training could not be queued; try again.', err);
  }
  return record;
}

/**
 * The request failed before any record named these photos: nobody (tenant or reconciler) could find them
 * later, so they go now. What cannot be deleted (S3 still failing) is logged by key for an operator.
 */
async function removeStoredPhotos(deps: CreateModelDeps, stored: string[], modelId: string): Promise<void> {
  const results = await Promise.allSettled(stored.map((key) => deps.objects.delete(key)));
  const left = stored.filter((_, i) => results[i]!.status === 'rejected');
  if (left.length > 0)
    deps.logger.error({ modelId, keys: left }, 'training photos of a failed intake could not be deleted');
}
