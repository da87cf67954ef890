import { type GeneratePayload } from '@dreamqueue/contracts';
import { finalizeBatch, type ItemOutcome, type RecordResult } from '@dreamqueue/records';
import { keys } from '@dreamqueue/storage';
import { type FailureReason, type GenerateDeps, type GenerateTarget } from './generate-context';

/**
 * Final outcomes of one job, written to the resource's own records. Every path here is idempotent: a
 * retried or duplicated job writes the same keys and the same item states.
 */
export async function deliverImages(
  deps: GenerateDeps,
  target: GenerateTarget,
  p: GeneratePayload,
  images: Buffer[],
): Promise<number> {
  if (target.kind === 'generation') return deliverGeneration(deps, target, p, images);
  const batch = await deps.batches.get(target.tenantId, target.record.id);
  if (!batch || batch.status === 'canceled') {
    await recordBatchItems(
      deps,
      target,
      p.items.map((i) => ({ index: i.index, state: 'canceled', seed: i.seed })),
    );
    return 0;
  }
  await Promise.all(
    p.items.map((item, i) =>
      deps.objects.put(keys.batchImage(target.tenantId, batch.id, item.index), images[i]!, 'image/jpeg'),
    ),
  );
  await recordBatchItems(
    deps,
    target,
    p.items.map((i) => ({ index: i.index, state: 'succeeded', seed: i.seed })),
  );
  return images.length;
}

async function deliverGeneration(
  deps: GenerateDeps,
  target: GenerateTarget & { kind: 'generation' },
  p: GeneratePayload,
  images: Buffer[],
): Promise<number> {
  const { tenantId, record } = target;
  // No status read before the upload: the guarded `succeeded` transition below is the check that counts,
  // and a cancel that lands mid-invocation is rare enough to pay for its uploads rather than a read per job.
  const stored = p.items.map((item) => ({
    index: item.index,
    seed: item.seed,
    key: keys.generationImage(tenantId, record.id, item.index),
  }));
  await Promise.all(stored.map((s, i) => deps.objects.put(s.key, images[i]!, 'image/jpeg')));
  const { applied, previous } = await deps.generations.transition(tenantId, record.id, 'succeeded', { images: stored });
  if (!applied) {
    // Canceled or expired meanwhile: never leave its images behind. (Already succeeded means a duplicate run
    // of this job won: the keys and bytes are the same, and they are that record's images — keep them.)
    if (previous !== 'succeeded') await Promise.all(stored.map((s) => deps.objects.delete(s.key)));
    return 0;
  }
  return stored.length;
}

/** Records a final failure (attempts exhausted or unrecoverable) on the generation or the batch items. */
export async function recordFailure(
  deps: GenerateDeps,
  target: GenerateTarget,
  p: GeneratePayload,
  reason: FailureReason,
): Promise<void> {
  if (target.kind === 'generation') {
    await deps.generations.transition(target.tenantId, target.record.id, 'failed', { error: reason });
    return;
  }
  const outcomes: ItemOutcome[] = p.items.map((i) => ({
    index: i.index,
    state: 'failed',
    seed: i.seed,
    error: reason,
    retry: { prompt: i.prompt, negativePrompt: i.negativePrompt, seed: i.seed },
  }));
  await recordBatchItems(deps, target, outcomes);
}

export async function recordBatchItems(
  deps: GenerateDeps,
  target: GenerateTarget,
  outcomes: ItemOutcome[],
): Promise<RecordResult | undefined> {
  const { tenantId } = target;
  const batchId = target.record.id;
  const result = await deps.batches.recordItems(tenantId, batchId, outcomes);
  if (!result) return undefined;
  if (result.progressDue && !result.finalize) await deps.batches.progress(tenantId, batchId, result.counts);
  if (result.finalize) {
    const batch = (await deps.batches.get(tenantId, batchId))!;
    const done = await finalizeBatch({ batches: deps.batches, objects: deps.objects }, batch, result.counts, {
      manifest: keys.batchManifest(tenantId, batchId),
      image: (index) => keys.batchImage(tenantId, batchId, index),
    });
    if (done) deps.logger.info({ batchId, tenantId, ...result.counts }, 'batch completed');
  }
  return result;
}
