import { type ReconcileDeps } from './reconcile-deps';

const OUTSTANDING = ['waiting', 'prioritized', 'delayed', 'active', 'waiting-children'] as const;

/**
 * Per-model pending counters (LoRA affinity) drift when a job ends without its processor saying so (a
 * stall-limit failure, a removed job). When the generate queue holds no outstanding job every counter must
 * be zero, so any left is reset — only if it did not change while the queue was being counted, so a producer
 * adding work at that moment keeps its count. Returns how many counters were reset.
 */
export async function reconcileDemand(deps: ReconcileDeps): Promise<number> {
  const counters = await deps.demand.snapshot();
  if (Object.keys(counters).length === 0) return 0;
  const counts = await deps.generateQueue.getJobCounts(...OUTSTANDING);
  if (Object.values(counts).some((n) => n > 0)) return 0;
  const reset = await deps.demand.resetUnchanged(counters);
  if (reset > 0)
    deps.logger.warn(
      { counters, reset, action: 'demand_reset' },
      'reconciler reset drifted model-demand counters (no generate job outstanding)',
    );
  return reset;
}
