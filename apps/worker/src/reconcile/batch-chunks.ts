import { type Job } from 'bullmq';
import { MAX_BATCH_SIZE, batchChunkPriority, type GenerateItem, type GeneratePayload } from '@dreamqueue/contracts';
import { itemSpecPart, readItemSpecs, type BatchRecord, type ItemOutcome } from '@dreamqueue/records';
import { keys } from '@dreamqueue/storage';
import { viewJob, type JobView, type ReconcileDeps } from './reconcile-deps';

/** Chunk job ids, as the API builds them (`apps/api/src/batches/batch-enqueue.ts`). */
export const batchJobId = (batchId: string, round: number, chunk: number) =>
  round === 0 ? `${batchId}-${chunk}` : `${batchId}-r${round}-${chunk}`;

/** Job lookups sent at once: small enough never to hold Redis up. */
const LOOKUP_GROUP = 100;

export interface ChunkFindings {
  /** Item outcomes to record (failed from a failed job, lost, canceled, or succeeded with images in S3). */
  outcomes: ItemOutcome[];
  /** Jobs added again with their deterministic ids. */
  reenqueued: number;
  /** Jobs that will never report (failed, lost): their model-demand counts are taken back. */
  demandDone: number;
  /** Completed jobs run again: they had already taken their demand count back. */
  demandAdd: number;
}

type Spec = GenerateItem;

/** Compares a batch's pending items (no recorded state) with the jobs of its current round. */
export async function findLostItems(deps: ReconcileDeps, batch: BatchRecord): Promise<ChunkFindings> {
  const found: ChunkFindings = { outcomes: [], reenqueued: 0, demandDone: 0, demandAdd: 0 };
  const pending = new Set<number>();
  for await (const item of deps.batches.items(batch.tenantId, batch.id, batch.total))
    if (item.status === 'pending') pending.add(item.index);
  if (pending.size === 0) return found;

  // First round: chunk n holds items 8n…8n+7. Retry rounds pack the failed items in index order, so any of
  // the round's chunk ids may hold a pending item.
  const chunkIds =
    batch.round === 0 ? [...new Set([...pending].map((i) => Math.floor(i / MAX_BATCH_SIZE)))] : range(batch.chunks);
  const covered = new Set<number>();
  const missing: number[] = [];
  for (let first = 0; first < chunkIds.length; first += LOOKUP_GROUP) {
    const group = chunkIds.slice(first, first + LOOKUP_GROUP);
    const views = await Promise.all(
      group.map((n) => viewJob<GeneratePayload>(deps.generateQueue, batchJobId(batch.id, batch.round, n))),
    );
    for (const [i, view] of views.entries()) {
      if (view.state === 'missing') missing.push(group[i]!);
      else await settleJob(deps, batch, view, pending, covered, found);
    }
  }

  const specs =
    batch.round === 0
      ? await firstRoundSpecs(deps, batch, missing)
      : new Map((await deps.batches.retrySpecs(batch.tenantId, batch.id)).map((s) => [s.index, s]));
  const lost = [...pending].filter((i) => !covered.has(i)).sort((a, b) => a - b);
  const rerunnable = batch.status === 'canceled' ? [] : lost.filter((i) => specs.has(i));
  const toRerun = new Set(rerunnable);
  for (const index of lost) {
    if (toRerun.has(index)) continue;
    found.outcomes.push(batch.status === 'canceled' ? { index, state: 'canceled', seed: 0 } : lostOutcome(index));
  }
  if (batch.round === 0) {
    // A lost first-round chunk goes back under its own id with its whole stored payload (the job reports itself).
    const rerunChunks = new Set(rerunnable.map((i) => Math.floor(i / MAX_BATCH_SIZE)));
    found.demandDone += new Set(lost.map((i) => Math.floor(i / MAX_BATCH_SIZE))).size - rerunChunks.size;
    found.reenqueued = await reenqueueFirstRound(deps, batch, [...rerunChunks], specs);
    return found;
  }
  found.demandDone += Math.ceil((lost.length - rerunnable.length) / MAX_BATCH_SIZE);
  found.reenqueued = await reenqueue(
    deps,
    batch,
    rerunnable.map((i) => specs.get(i)!),
    missing,
  );
  return found;
}

/** A failed or completed job of the round: its pending items are failed (with retry specs) or checked in S3. */
async function settleJob(
  deps: ReconcileDeps,
  batch: BatchRecord,
  view: Exclude<JobView<GeneratePayload>, { state: 'missing' }>,
  pending: Set<number>,
  covered: Set<number>,
  found: ChunkFindings,
): Promise<void> {
  const items = (view.job.data.items ?? []).filter((i) => pending.has(i.index));
  for (const item of view.job.data.items ?? []) covered.add(item.index);
  if (view.state === 'pending' || items.length === 0) return;
  if (view.state === 'failed') {
    const error = { code: 'job_failed', message: view.job.failedReason || 'The generate job failed.' };
    for (const i of items)
      found.outcomes.push({
        index: i.index,
        state: 'failed',
        seed: i.seed,
        error,
        retry: { prompt: i.prompt, negativePrompt: i.negativePrompt, seed: i.seed },
      });
    found.demandDone += 1;
    return;
  }
  const heads = await Promise.all(
    items.map((i) => deps.objects.head(keys.batchImage(batch.tenantId, batch.id, i.index))),
  );
  if (heads.every(Boolean)) {
    for (const i of items) found.outcomes.push({ index: i.index, state: 'succeeded', seed: i.seed });
    return;
  }
  await rerun(deps, view.job);
  found.reenqueued += 1;
  found.demandAdd += 1;
}

/** The stored intake specs of the items of the round's missing chunks (parts never written: none). */
async function firstRoundSpecs(deps: ReconcileDeps, batch: BatchRecord, missing: number[]): Promise<Map<number, Spec>> {
  const specs = new Map<number, Spec>();
  const parts = new Set(missing.map((n) => itemSpecPart(n * MAX_BATCH_SIZE)));
  for (const part of parts) {
    const stored = await readItemSpecs(deps.objects, keys.batchItems(batch.tenantId, batch.id, part));
    for (const [index, spec] of stored ?? []) specs.set(index, spec);
  }
  return specs;
}

/** Re-adds lost first-round chunks with their deterministic ids and the payload the API built. */
async function reenqueueFirstRound(
  deps: ReconcileDeps,
  batch: BatchRecord,
  chunks: number[],
  specs: Map<number, Spec>,
): Promise<number> {
  if (chunks.length === 0) return 0;
  const jobs = chunks.map((chunk) => {
    const items: Spec[] = [];
    for (let i = chunk * MAX_BATCH_SIZE; i < Math.min(batch.total, (chunk + 1) * MAX_BATCH_SIZE); i++)
      if (specs.has(i)) items.push(specs.get(i)!);
    return chunkJob(batch, chunk, items);
  });
  await deps.generateQueue.addBulk(jobs);
  return jobs.length;
}

function chunkJob(batch: BatchRecord, chunk: number, items: Spec[]) {
  return {
    name: 'generate' as const,
    data: {
      tenantId: batch.tenantId,
      modelId: batch.modelId,
      batchId: batch.id,
      items: items.map((s) => ({ index: s.index, prompt: s.prompt, negativePrompt: s.negativePrompt, seed: s.seed })),
      steps: batch.steps,
      guidance: batch.guidance,
    },
    opts: { jobId: batchJobId(batch.id, batch.round, chunk), priority: batchChunkPriority(chunk) },
  };
}

async function rerun(deps: ReconcileDeps, job: Job<GeneratePayload>): Promise<void> {
  const { data, opts } = job;
  await job.remove();
  await deps.generateQueue.add('generate', data, { jobId: job.id, priority: opts.priority });
}

/** Re-adds pending retry-round items under the round's missing chunk ids (extra ids past the end if needed). */
async function reenqueue(
  deps: ReconcileDeps,
  batch: BatchRecord,
  specs: (Spec & { index: number })[],
  missing: number[],
): Promise<number> {
  if (specs.length === 0) return 0;
  const slots = [...missing];
  let next = batch.chunks;
  const jobs = [];
  for (let first = 0; first < specs.length; first += MAX_BATCH_SIZE) {
    const chunk = slots.shift() ?? next++;
    jobs.push(chunkJob(batch, chunk, specs.slice(first, first + MAX_BATCH_SIZE)));
  }
  await deps.generateQueue.addBulk(jobs);
  if (next > batch.chunks) await deps.batches.setChunks(batch.tenantId, batch.id, next);
  return jobs.length;
}

/** A lost item without stored specs (a batch accepted before they were kept): its seed is unknown, shown as 0. */
function lostOutcome(index: number): ItemOutcome {
  return {
    index,
    state: 'failed',
    seed: 0,
    error: { code: 'job_lost', message: 'The job that held this item was lost before it ran; submit the item again.' },
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
