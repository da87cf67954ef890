import { MAX_BATCH_SIZE, batchChunkPriority, type GenerateItem } from '@dreamqueue/contracts';
import { ITEM_SPECS_PER_PART } from '@dreamqueue/records';
import { type GenerationDeps } from '../generations/generation-deps';

/**
 * Jobs per `addBulk` call (1 000): big enough to amortise round trips, small enough to keep each call short.
 * One group's items are one part of the stored item specs, so the reconciler finds a chunk's part by index.
 */
export const JOBS_PER_BULK = ITEM_SPECS_PER_PART / MAX_BATCH_SIZE;

export interface BatchJobSpec {
  tenantId: string;
  batchId: string;
  modelId: string;
  steps: number;
  guidance: number;
  /** `<batchId>-<n>` for the first round, `<batchId>-r<round>-<n>` for retry rounds. */
  round: number;
}

export const batchJobId = (batchId: string, round: number, chunk: number) =>
  round === 0 ? `${batchId}-${chunk}` : `${batchId}-r${round}-${chunk}`;

/**
 * Splits items into invocation-sized jobs (≤ 8 rows) and adds them in bulk. Job ids are deterministic, so a
 * retried intake adds nothing twice; chunk priorities keep one batch's jobs together (LoRA affinity) while
 * letting other batches interleave run by run. Items are read lazily: job data is built per bulk only.
 */
export async function enqueueBatchJobs(
  deps: Pick<GenerationDeps, 'queue'>,
  spec: BatchJobSpec,
  count: number,
  itemAt: (i: number) => GenerateItem,
): Promise<number> {
  const chunks = Math.ceil(count / MAX_BATCH_SIZE);
  for (let first = 0; first < chunks; first += JOBS_PER_BULK) {
    const jobs = [];
    for (let chunk = first; chunk < Math.min(chunks, first + JOBS_PER_BULK); chunk++) {
      const items: GenerateItem[] = [];
      for (let i = chunk * MAX_BATCH_SIZE; i < Math.min(count, (chunk + 1) * MAX_BATCH_SIZE); i++)
        items.push(itemAt(i));
      jobs.push({
        name: 'generate' as const,
        data: {
          tenantId: spec.tenantId,
          modelId: spec.modelId,
          batchId: spec.batchId,
          items,
          steps: spec.steps,
          guidance: spec.guidance,
        },
        opts: { jobId: batchJobId(spec.batchId, spec.round, chunk), priority: batchChunkPriority(chunk) },
      });
    }
    await deps.queue.addBulk(jobs);
  }
  return chunks;
}
