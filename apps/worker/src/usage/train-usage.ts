import { type TrainCheckpoint } from '@dreamqueue/contracts';
import { type ModelRecord } from '@dreamqueue/records';
import { type UsageRecorder } from './usage-recorder';

/**
 * One training's GPU time, charged once per submission (its inference id) when its result is first seen.
 * The training container reports how long it held the GPU (`training_seconds` in its output); without
 * that figure (a failure object, or a container that does not send it) the charge is the time from the
 * moment InvokeEndpointAsync accepted the request to the check that saw the result — an upper bound that
 * also holds the wait in the async endpoint's queue and up to one poll interval.
 */
export function recordTrainingUsage(
  usage: Pick<UsageRecorder, 'record'>,
  model: ModelRecord,
  checkpoint: TrainCheckpoint,
  seenAt: number,
  reportedSeconds?: number,
): Promise<void> {
  if (!checkpoint.inferenceId) return Promise.resolve();
  const ms =
    reportedSeconds !== undefined
      ? reportedSeconds * 1000
      : checkpoint.submittedAt !== undefined
        ? Math.max(0, seenAt - checkpoint.submittedAt)
        : undefined;
  if (ms === undefined) return Promise.resolve();
  return usage.record({
    invocationId: checkpoint.inferenceId,
    tenantId: model.tenantId,
    modelId: model.id,
    kind: 'train',
    ms,
    images: 0,
    resource: { kind: 'model', id: model.id },
  });
}
