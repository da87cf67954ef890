import { type BatchRecord } from '@dreamqueue/records';
import { type BatchView } from '../openapi/resource-schemas';
import { gpuSeconds } from '../usage/usage-view';

/** The API shape of a batch: counts by state, progress and an ETA measured from this batch's own pace. */
export function batchView(b: BatchRecord): BatchView {
  const done = b.succeeded + b.failed + b.canceled;
  const pending = Math.max(0, b.total - done);
  const elapsedS = b.startedAt ? (Date.now() - b.startedAt) / 1000 : 0;
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  const active = b.status === 'queued' || b.status === 'running';
  return {
    id: b.id,
    object: 'batch' as const,
    status: b.status,
    model: b.modelId,
    steps: b.steps,
    guidance: b.guidance,
    total: b.total,
    counts: { pending, succeeded: b.succeeded, failed: b.failed, canceled: b.canceled },
    progress: b.total > 0 ? Math.round((done / b.total) * 1000) / 1000 : 1,
    ...(active && rate > 0 && { etaSeconds: Math.ceil(pending / rate) }),
    round: b.round,
    gpuSeconds: gpuSeconds(b.gpuMs),
    createdAt: b.createdAt,
    ...(b.finishedAt && { finishedAt: b.finishedAt }),
    links: {
      self: `/v1/batches/${b.id}`,
      results: `/v1/batches/${b.id}/results`,
      cancel: `/v1/batches/${b.id}/cancel`,
      retryFailed: `/v1/batches/${b.id}/retry-failed`,
    },
  };
}
