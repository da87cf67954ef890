import { type Job } from 'bullmq';
import { type GeneratePayload } from '@dreamqueue/contracts';
import { type UsageRecorder } from './usage-recorder';

/**
 * One MME invocation that the model answered (images, or a ModelError from the container), charged to
 * the job's tenant, model and resource. Its id is the job id and attempt: BullMQ retries (a new attempt)
 * ran on the GPU again and count again, while a job re-run after a crash within the same attempt does not.
 */
export function recordGenerateUsage(
  usage: UsageRecorder,
  job: Pick<Job, 'id' | 'attemptsMade'>,
  p: GeneratePayload,
  measured: { ms: number; images: number },
): Promise<void> {
  const resource = p.generationId
    ? { kind: 'generation' as const, id: p.generationId }
    : { kind: 'batch' as const, id: p.batchId! };
  return usage.record({
    invocationId: `${job.id}:${job.attemptsMade}`,
    tenantId: p.tenantId,
    modelId: p.modelId,
    kind: 'generate',
    ms: measured.ms,
    images: measured.images,
    resource,
  });
}
