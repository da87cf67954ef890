import { type Counter } from 'prom-client';
import { type Logger } from '@dreamqueue/logger';
import { UsageLedger, type UsageEntry } from '@dreamqueue/records';
import { type WorkerDeps } from '../worker-deps';

/**
 * Writes GPU time into the cost ledger and the `dq_gpu_seconds_total` counter. A ledger write that fails
 * is logged and skipped: the images or the model it measured are delivered regardless, because failing the
 * job here would run the same work on the GPU again.
 */
export class UsageRecorder {
  constructor(
    private readonly ledger: UsageLedger,
    private readonly logger: Logger,
    private readonly gpuSeconds?: Counter<'kind'>,
  ) {}

  async record(entry: UsageEntry): Promise<void> {
    try {
      if (await this.ledger.record(entry)) this.gpuSeconds?.inc({ kind: entry.kind }, Math.round(entry.ms) / 1000);
    } catch (err) {
      this.logger.warn(
        { err, invocationId: entry.invocationId, tenantId: entry.tenantId, kind: entry.kind, ms: entry.ms },
        'GPU time not recorded in the cost ledger',
      );
    }
  }
}

/** The recorder a worker module uses, on the worker's Redis and metrics. */
export function usageRecorder(deps: Pick<WorkerDeps, 'redis' | 'keySpace' | 'logger' | 'metrics'>): UsageRecorder {
  return new UsageRecorder(new UsageLedger(deps.redis, deps.keySpace), deps.logger, deps.metrics?.gpuSeconds);
}
