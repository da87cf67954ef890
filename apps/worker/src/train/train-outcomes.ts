import { type TrainCheckpoint, type TrainPayload } from '@dreamqueue/contracts';
import { type ModelRecord, type ModelStore } from '@dreamqueue/records';
import { type TrainStepDeps } from './train-context';

/** Removes what a canceled or deleted model's training produced, so nothing of it can be loaded. */
export async function discardModel(
  deps: TrainStepDeps,
  model: ModelRecord,
  checkpoint: TrainCheckpoint,
): Promise<void> {
  const keys = [
    checkpoint.trainedArtifact,
    checkpoint.targetModel && `${deps.settings.mmePrefix}${checkpoint.targetModel}`,
  ];
  for (const key of keys) {
    if (key)
      await deps.objects
        .delete(key)
        .catch((err: unknown) => deps.logger.warn({ err, modelId: model.id }, 'could not remove a discarded artifact'));
  }
}

/**
 * Marks the model failed with the reason (and its event), from the processor itself: durable, unlike a
 * QueueEvents listener. A registered artifact is removed so a model that failed is never offered; the
 * container's own copy stays, so an operator retry can resume at register without training again.
 */
export async function failModel(
  deps: TrainStepDeps & { models: ModelStore },
  data: TrainPayload,
  reason: string,
): Promise<void> {
  const { record } = await deps.models.transition(data.tenantId, data.modelId, 'failed', { failureReason: reason });
  if (record && record.status !== 'ready')
    await discardModel(deps, record, { targetModel: data.checkpoint.targetModel });
}
