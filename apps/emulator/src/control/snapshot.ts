import { type EmulatorContext } from '../context';
import { type EmulatorStats } from '../observe/stats';

/** Stats plus the live figures (queue, in-flight, faults fired, instances) that only the components know. */
export function snapshotStats(ctx: EmulatorContext): EmulatorStats {
  return ctx.stats.snapshot({
    ...ctx.trainings.counts(),
    inFlight: ctx.mme.inFlight,
    faultsFired: ctx.faults.firedCounts(),
    ledgerDropped: ctx.ledger.droppedCount(),
    instances: ctx.mme.describeInstances(),
  });
}
