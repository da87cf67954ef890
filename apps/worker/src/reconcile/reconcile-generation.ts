import { MAX_SEED, PRIORITY, type GeneratePayload } from '@dreamqueue/contracts';
import { TERMINAL_GENERATION_STATUSES, type ActiveRef, type GenerationRecord } from '@dreamqueue/records';
import { keys } from '@dreamqueue/storage';
import { viewJob, type ReconcileDeps } from './reconcile-deps';

/**
 * One unfinished generation compared with its generate job (job id = generation id):
 * pending → leave it (re-scored, so it is looked at again only after another grace period);
 * failed (e.g. stalled too often) → `failed` with the job's reason; completed without a terminal record →
 * `succeeded` when its images are in S3, otherwise run again; missing → re-enqueued with the same id and
 * payload (the processor is idempotent on S3 keys), or `expired` when its deadline has passed.
 */
export async function reconcileGeneration(deps: ReconcileDeps, ref: ActiveRef): Promise<void> {
  const record = await deps.generations.get(ref.tenantId, ref.id);
  if (!record || TERMINAL_GENERATION_STATUSES.includes(record.status))
    return deps.index.remove('generation', ref.tenantId, ref.id);
  const view = await viewJob(deps.generateQueue, record.jobId);
  const repair = (action: string, reason?: string) =>
    deps.repaired({ resource: 'generation', tenantId: ref.tenantId, resourceId: ref.id, action, reason });

  if (view.state === 'pending') return deps.index.touch('generation', ref.tenantId, ref.id, deps.now());
  if (view.state === 'failed') {
    const message = view.job.failedReason || 'The generate job failed.';
    const { applied } = await deps.generations.transition(ref.tenantId, ref.id, 'failed', {
      error: { code: 'job_failed', message },
    });
    if (applied) {
      await deps.demand.done(record.targetModel);
      repair('failed_from_job', message);
    }
    return;
  }
  if (view.state === 'completed') {
    if (await completeFromImages(deps, record)) return repair('succeeded_from_images');
    await view.job.remove();
    await enqueue(deps, record);
    await deps.demand.add(record.targetModel, 1);
    await deps.index.touch('generation', ref.tenantId, ref.id, deps.now());
    return repair('reenqueued', 'job completed without a result');
  }
  if (record.deadlineAt !== undefined && deps.now() > record.deadlineAt) {
    const error = { code: 'deadline_exceeded', message: 'The deadline passed before the images were generated.' };
    const { applied } = await deps.generations.transition(ref.tenantId, ref.id, 'expired', { error });
    if (applied) {
      await deps.demand.done(record.targetModel);
      repair('expired', 'job missing past the deadline');
    }
    return;
  }
  // The job vanished: its demand count was never taken back, so it still stands for this new job.
  await enqueue(deps, record);
  await deps.index.touch('generation', ref.tenantId, ref.id, deps.now());
  repair('reenqueued', 'job missing');
}

/** The payload `createGeneration` enqueued, rebuilt from the record (it holds everything the job needs). */
export function generationPayload(record: GenerationRecord): GeneratePayload {
  const items = Array.from({ length: record.numImages }, (_, index) => ({
    index,
    prompt: record.prompt,
    negativePrompt: record.negativePrompt,
    seed: (record.seed + index) % (MAX_SEED + 1),
  }));
  return {
    tenantId: record.tenantId,
    modelId: record.modelId,
    generationId: record.id,
    items,
    steps: record.steps,
    guidance: record.guidance,
    ...(record.deadlineAt !== undefined && { deadlineAt: record.deadlineAt }),
  };
}

async function enqueue(deps: ReconcileDeps, record: GenerationRecord): Promise<void> {
  await deps.generateQueue.add('generate', generationPayload(record), {
    jobId: record.jobId,
    priority: PRIORITY.interactive,
  });
}

/** A job that completed had stored every image before recording success; if all are there, record it now. */
async function completeFromImages(deps: ReconcileDeps, record: GenerationRecord): Promise<boolean> {
  const images = Array.from({ length: record.numImages }, (_, index) => ({
    index,
    seed: (record.seed + index) % (MAX_SEED + 1),
    key: keys.generationImage(record.tenantId, record.id, index),
  }));
  const heads = await Promise.all(images.map((i) => deps.objects.head(i.key)));
  if (heads.some((h) => !h)) return false;
  if (record.status === 'queued') await deps.generations.transition(record.tenantId, record.id, 'running');
  return (await deps.generations.transition(record.tenantId, record.id, 'succeeded', { images })).applied;
}
