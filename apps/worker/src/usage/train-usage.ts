import { type TrainCheckpoint } from '@dreamqueue/contracts';
import { type ModelRecord } from '@dreamqueue/records';
import { type UsageRecorder } from './usage-recorder';

/**
 * One training's GPU time, charged once per submission (its inference id) when its result — output or
 * failure — is first seen: from the moment InvokeEndpointAsync accepted it to that check. SageMaker reports
 * no start time for an async invocation and the container none either, so this is an upper bound: it also
 * holds the time the request waited in the endpoint's queue and up to one poll interval.
 */
export function recordTrainingUsage(
  usage: UsageRecorder,
  model: ModelRecord,
  checkpoint: TrainCheckpoint,
  seenAt: number,
): Promise<void> {
  if (!checkpoint.inferenceId || checkpoint.submittedAt === undefined) return Promise.resolve();
  return usage.record({
    invocationId: checkpoint.inferenceId,
    tenantId: model.tenantId,
    modelId: model.id,
    kind: 'train',
    ms: Math.max(0, seenAt - checkpoint.submittedAt),
    images: 0,
    resource: { kind: 'model', id: model.id },
  });
}
