import {
  type ActiveRef,
  type BatchRecord,
  type ItemOutcome,
  type RecordResult,
  finalizeBatch,
} from '@dreamqueue/records';
import { keys } from '@dreamqueue/storage';
import { findLostItems, type ChunkFindings } from './batch-chunks';
import { type ReconcileDeps } from './reconcile-deps';

/**
 * One unfinished batch. If every item has ended but the round was never completed (its finalizer died),
 * it is finalized through the store's own path (manifest + `batch.completed`, once per round). Otherwise the
 * jobs of its pending items are checked: failed jobs fail their items with the job's reason (with their
 * retry specs, so retry-failed runs them again); jobs that vanished are re-enqueued with the same ids from the
 * items' specs (first round: the NDJSON parts the API stored at intake; retry rounds: the retry specs), and
 * only items whose specs are missing (batches accepted before they were stored) fail as `job_lost` — either
 * way the batch can finish.
 */
export async function reconcileBatch(deps: ReconcileDeps, ref: ActiveRef): Promise<void> {
  const batch = await deps.batches.get(ref.tenantId, ref.id);
  if (!batch || batch.status === 'completed') return deps.index.remove('batch', ref.tenantId, ref.id);
  const repair = (action: string, reason?: string) =>
    deps.repaired({ resource: 'batch', tenantId: ref.tenantId, resourceId: ref.id, action, reason });

  if (batch.succeeded + batch.failed + batch.canceled >= batch.total) {
    // Status is running or canceled here, so an empty report changes nothing; it only says whether to finalize.
    const check = await deps.batches.recordItems(ref.tenantId, ref.id, []);
    if (check?.finalize) {
      if (await finalize(deps, batch, check.counts)) repair('finalized');
      return;
    }
    return deps.index.remove('batch', ref.tenantId, ref.id);
  }

  const found = await findLostItems(deps, batch);
  if (found.outcomes.length === 0 && found.reenqueued === 0)
    return deps.index.touch('batch', ref.tenantId, ref.id, deps.now());
  if (found.demandDone > 0) await deps.demand.done(batch.targetModel, found.demandDone);
  if (found.demandAdd > 0) await deps.demand.add(batch.targetModel, found.demandAdd);
  if (found.reenqueued > 0) repair('reenqueued', `${found.reenqueued} job(s) missing`);
  for (const [action, count] of Object.entries(summarize(found))) repair(action, `${count} item(s)`);
  if (found.outcomes.length > 0) await recordAndFinalize(deps, batch, found.outcomes);
  await deps.index.touch('batch', ref.tenantId, ref.id, deps.now());
}

function summarize(found: ChunkFindings): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of found.outcomes) {
    const action =
      o.state === 'succeeded'
        ? 'items_succeeded_from_images'
        : o.state === 'canceled'
          ? 'items_canceled'
          : o.error?.code === 'job_lost'
            ? 'items_lost'
            : 'items_failed_from_job';
    counts[action] = (counts[action] ?? 0) + 1;
  }
  return counts;
}

async function recordAndFinalize(deps: ReconcileDeps, batch: BatchRecord, outcomes: ItemOutcome[]): Promise<void> {
  const result = await deps.batches.recordItems(batch.tenantId, batch.id, outcomes);
  if (!result) return;
  if (result.finalize) {
    if (await finalize(deps, batch, result.counts))
      deps.repaired({ resource: 'batch', tenantId: batch.tenantId, resourceId: batch.id, action: 'finalized' });
  } else if (result.progressDue) {
    await deps.batches.progress(batch.tenantId, batch.id, result.counts);
  }
}

async function finalize(deps: ReconcileDeps, batch: BatchRecord, counts: RecordResult['counts']): Promise<boolean> {
  const current = (await deps.batches.get(batch.tenantId, batch.id)) ?? batch;
  return finalizeBatch({ batches: deps.batches, objects: deps.objects }, current, counts, {
    manifest: keys.batchManifest(batch.tenantId, batch.id),
    image: (index) => keys.batchImage(batch.tenantId, batch.id, index),
  });
}
