import { TrainResult, type TrainPayload } from '@dreamqueue/contracts';
import { isRunning, type ActiveRef, type ModelRecord } from '@dreamqueue/records';
import { viewJob, type ReconcileDeps } from './reconcile-deps';

/**
 * Past this age a model whose job vanished is failed instead of re-enqueued: the submission claim that
 * guarantees "never trained twice" lives 8 days, so a resumed job must start well within that.
 */
export const MODEL_REENQUEUE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * One unfinished model compared with its train job (job id = model id):
 * pending → leave it; failed outside the processor's own handling (stalled too often, removed by an
 * operator into the failed set) → `failed` with the job's reason; completed with a `ready` result → `ready`;
 * missing → re-enqueued from `prepare`. A re-enqueued job cannot train twice: prepare is deterministic, and
 * submit finds the model's Redis submission claim (taken before any InvokeEndpointAsync) and resumes from it.
 */
export async function reconcileModel(deps: ReconcileDeps, ref: ActiveRef): Promise<void> {
  const record = await deps.models.get(ref.tenantId, ref.id);
  if (!record || !isRunning(record.status)) return deps.index.remove('model', ref.tenantId, ref.id);
  const view = await viewJob(deps.trainQueue, ref.id);
  const repair = (action: string, reason?: string) =>
    deps.repaired({ resource: 'model', tenantId: ref.tenantId, resourceId: ref.id, action, reason });

  if (view.state === 'pending') return deps.index.touch('model', ref.tenantId, ref.id, deps.now());
  if (view.state === 'failed') {
    const reason = view.job.failedReason || 'The training job failed.';
    if (await fail(deps, record, reason, view.job.data.checkpoint?.targetModel)) repair('failed_from_job', reason);
    return;
  }
  if (view.state === 'completed') {
    const result = TrainResult.safeParse(view.job.returnvalue);
    if (result.success && result.data.outcome === 'ready' && result.data.targetModel) {
      const { changed } = await deps.models.transition(ref.tenantId, ref.id, 'ready', {
        targetModel: result.data.targetModel,
        progress: 100,
      });
      if (changed) repair('ready_from_job');
      return;
    }
    // Completed without a usable result: run the finished checkpoint again (its `done` step records the outcome).
    const data = view.job.data;
    await view.job.remove();
    await enqueue(deps, data);
    await deps.index.touch('model', ref.tenantId, ref.id, deps.now());
    return repair('reenqueued', 'job completed without a result');
  }
  if (deps.now() - Date.parse(record.createdAt) > MODEL_REENQUEUE_MAX_AGE_MS) {
    if (await fail(deps, record, 'The training job was lost and the model is too old to resume safely.'))
      repair('failed_lost');
    return;
  }
  await enqueue(deps, { tenantId: ref.tenantId, modelId: ref.id, step: 'prepare', checkpoint: {} });
  await deps.index.touch('model', ref.tenantId, ref.id, deps.now());
  repair('reenqueued', 'job missing');
}

async function enqueue(deps: ReconcileDeps, data: TrainPayload): Promise<void> {
  await deps.trainQueue.add('train', data, { jobId: data.modelId });
}

/** As the processor's own `failModel`: the record and its event, then no registered artifact left loadable. */
async function fail(deps: ReconcileDeps, record: ModelRecord, reason: string, targetModel?: string): Promise<boolean> {
  const { changed } = await deps.models.transition(record.tenantId, record.id, 'failed', { failureReason: reason });
  if (changed && targetModel) await deps.objects.delete(`${deps.mmePrefix}${targetModel}`).catch(() => undefined);
  return changed;
}
