import { type Job } from 'bullmq';
import { type GeneratePayload } from '@dreamqueue/contracts';
import { conflict } from '@dreamqueue/errors';
import { finalizeBatch, type BatchRecord, type ItemOutcome } from '@dreamqueue/records';
import { keys } from '@dreamqueue/storage';
import { type GenerationDeps } from '../generations/generation-deps';
import { batchJobId, enqueueBatchJobs } from './batch-enqueue';

const REMOVE_GROUP = 200;

/**
 * Cancel: the batch turns `canceled` at once; its jobs still waiting are removed and their items recorded
 * as canceled; jobs already running finish and the worker records their items as canceled too. Whoever
 * records the last item writes the manifest.
 */
export async function cancelBatch(deps: GenerationDeps, batch: BatchRecord): Promise<void> {
  if (!(await deps.batches.cancel(batch.tenantId, batch.id))) {
    throw conflict(
      'batch_finished',
      `Batch ${batch.id} is ${batch.status}; only a queued or running batch can be canceled.`,
    );
  }
  for (let first = 0; first < batch.chunks; first += REMOVE_GROUP) {
    const ids = Array.from({ length: Math.min(REMOVE_GROUP, batch.chunks - first) }, (_, i) =>
      batchJobId(batch.id, batch.round, first + i),
    );
    const removed = (await Promise.all(ids.map((id) => removeIfWaiting(deps, id)))).filter(
      (j): j is GeneratePayload => j !== undefined,
    );
    if (removed.length === 0) continue;
    await deps.demand.done(batch.targetModel, removed.length);
    const outcomes: ItemOutcome[] = removed.flatMap((p) =>
      p.items.map((i) => ({ index: i.index, state: 'canceled' as const, seed: i.seed })),
    );
    const result = await deps.batches.recordItems(batch.tenantId, batch.id, outcomes);
    if (result?.finalize) {
      const current = (await deps.batches.get(batch.tenantId, batch.id))!;
      await finalizeBatch({ batches: deps.batches, objects: deps.objects }, current, result.counts, {
        manifest: keys.batchManifest(batch.tenantId, batch.id),
        image: (index) => keys.batchImage(batch.tenantId, batch.id, index),
      });
    }
  }
}

/** Removes a job that is not running; returns its payload when removed. */
async function removeIfWaiting(deps: GenerationDeps, jobId: string): Promise<GeneratePayload | undefined> {
  const job = (await deps.queue.getJob(jobId)) as Job<GeneratePayload> | undefined;
  if (!job) return undefined;
  const state = await job.getState();
  if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return undefined;
  return (await deps.queue.remove(jobId)) === 1 ? job.data : undefined;
}

/** Re-runs only the failed items of a finished batch, as a new round with new job ids. */
export async function retryFailedItems(deps: GenerationDeps, batch: BatchRecord): Promise<number> {
  const reopened = await deps.batches.reopenFailed(batch.tenantId, batch.id);
  if ('notCompleted' in reopened) {
    throw conflict(
      'batch_not_finished',
      `Batch ${batch.id} is ${reopened.notCompleted}; retry-failed applies to a completed batch.`,
    );
  }
  if (reopened.items === 0) return 0;
  const specs = await deps.batches.retrySpecs(batch.tenantId, batch.id);
  const spec = {
    tenantId: batch.tenantId,
    batchId: batch.id,
    modelId: batch.modelId,
    steps: batch.steps,
    guidance: batch.guidance,
    round: reopened.round,
  };
  const chunks = await enqueueBatchJobs(deps, spec, specs.length, (i) => specs[i]!);
  await deps.batches.setChunks(batch.tenantId, batch.id, chunks);
  await deps.demand.add(batch.targetModel, chunks);
  return specs.length;
}
