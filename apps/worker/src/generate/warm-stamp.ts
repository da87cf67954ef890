import { type ModelDemand } from '@dreamqueue/records';

/**
 * Stamps a model as warm (for LoRA affinity) at most once per `intervalMs` per model and process. Under
 * load every job of a model would otherwise write the same sorted-set entry again within milliseconds; the
 * affinity check only asks whether a model was invoked within its warm window (a minute by default), so
 * a stamp up to `intervalMs` old answers the same.
 */
export class WarmStamp {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly demand: Pick<ModelDemand, 'markWarm'>,
    private readonly intervalMs: number,
    /** Models remembered per process (least recently stamped forgotten first). @defaultValue 1000 */
    private readonly maxModels = 1_000,
  ) {}

  async mark(targetModel: string, now = Date.now()): Promise<void> {
    const previous = this.last.get(targetModel);
    if (previous !== undefined && now - previous < this.intervalMs) return;
    this.last.delete(targetModel);
    if (this.last.size >= this.maxModels) this.last.delete(this.last.keys().next().value!);
    this.last.set(targetModel, now);
    await this.demand.markWarm(targetModel, now);
  }
}
