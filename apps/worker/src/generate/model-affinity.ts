import { type ModelDemand } from '@dreamqueue/records';

export interface ModelAffinityOptions {
  enabled: boolean;
  /** A model invoked within this window counts as loaded on the endpoint. */
  warmWindowMs: number;
  /** How many recently used models the endpoint keeps loaded (its LRU size, across instances). */
  warmModels: number;
  /** A job is deferred at most this many times, so a cold model's work always runs eventually. */
  maxDeferrals: number;
  /** How long one deferral lasts. */
  deferMs: number;
}

/**
 * LoRA affinity: MME cold loads cost seconds to minutes, so when a job for a cold model comes up while
 * work for a warm model is still outstanding, the job steps aside briefly (moveToDelayed) and the warm
 * model's work runs first. Deferrals are bounded per job; the cold model's requests meanwhile gather and
 * then run back to back after one load instead of evicting and reloading models in turn.
 */
export class ModelAffinity {
  constructor(
    private readonly demand: ModelDemand,
    readonly options: ModelAffinityOptions,
  ) {}

  async shouldDefer(targetModel: string, deferralsSoFar: number): Promise<boolean> {
    const { enabled, maxDeferrals, warmWindowMs, warmModels } = this.options;
    if (!enabled || deferralsSoFar >= maxDeferrals) return false;
    const warm = await this.demand.warm(warmWindowMs, warmModels);
    if (warm.length === 0 || warm.includes(targetModel)) return false;
    const pending = await this.demand.pending(warm);
    return pending.some((n) => n > 0);
  }
}
