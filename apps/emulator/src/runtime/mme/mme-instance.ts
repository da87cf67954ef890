import { type ModelDescription } from '../../model/artifact';

/** A model on an instance: usable once `readyAt` (real epoch ms) has passed. */
export interface LoadedModel {
  description: ModelDescription;
  /** ETag of the artifact that was loaded: images depend on it, so an overwritten artifact shows up. */
  etag: string;
  readyAt: number;
}

/**
 * One simulated MME instance (one GPU): whether model_setup has unpacked the base model here (per-instance,
 * non-persistent state), an LRU of loaded LoRA models (Map order = least recently used first), and its
 * inference slots. A slot is held only while the GPU runs an inference; a request waiting for its model to
 * load holds none (the load is disk and PCIe work, and the instance keeps serving the models it holds).
 */
export class MmeInstance {
  setupReadyAt: number | undefined;
  private readonly models = new Map<string, LoadedModel>();
  /** Loads in progress, so concurrent first calls share one download. */
  readonly pending = new Map<string, Promise<LoadedModel>>();
  /** Requests routed here for a model whose load they have not registered yet (the artifact check runs first). */
  private readonly routed = new Map<string, number>();
  /** Inferences running now (each holds one of the instance's `mmeCapacity` slots), in all and per model. */
  busy = 0;
  readonly busyByModel = new Map<string, number>();
  /** Requests routed here that wait for a model to finish loading. */
  waitingForLoad = 0;

  constructor(readonly id: number) {}

  /** Requests the router counts against this instance (SageMaker routes by outstanding requests). */
  outstanding(): number {
    return this.busy + this.waitingForLoad;
  }

  /** Whether `targetModel` is loaded (or loading, or about to load) here. */
  holds(targetModel: string): boolean {
    return this.models.has(targetModel) || this.pending.has(targetModel) || this.routed.has(targetModel);
  }

  /**
   * Counts a request routed here until its model is loaded or loading: from the routing decision on, the
   * instance holds the model for the router, so concurrent first calls for one model meet on one instance.
   */
  routedHere(targetModel: string): () => void {
    this.routed.set(targetModel, (this.routed.get(targetModel) ?? 0) + 1);
    return () => {
      const left = (this.routed.get(targetModel) ?? 1) - 1;
      if (left > 0) this.routed.set(targetModel, left);
      else this.routed.delete(targetModel);
    };
  }

  /** Takes an inference slot for `targetModel`; the returned function gives it back. */
  takeSlot(targetModel: string): () => void {
    this.busy += 1;
    this.busyByModel.set(targetModel, (this.busyByModel.get(targetModel) ?? 0) + 1);
    return () => {
      this.busy -= 1;
      const left = (this.busyByModel.get(targetModel) ?? 1) - 1;
      if (left > 0) this.busyByModel.set(targetModel, left);
      else this.busyByModel.delete(targetModel);
    };
  }

  loadedCount(): number {
    return this.models.size;
  }

  isBootstrapped(now: number): boolean {
    return this.setupReadyAt !== undefined && this.setupReadyAt <= now;
  }

  has(targetModel: string): boolean {
    return this.models.has(targetModel);
  }

  /** Returns the model and marks it most recently used. */
  use(targetModel: string): LoadedModel | undefined {
    const model = this.models.get(targetModel);
    if (model) {
      this.models.delete(targetModel);
      this.models.set(targetModel, model);
    }
    return model;
  }

  /** Adds a model, evicting least recently used ones beyond `capacity`; returns how many were evicted. */
  add(targetModel: string, model: LoadedModel, capacity: number): number {
    this.models.delete(targetModel);
    this.models.set(targetModel, model);
    let evicted = 0;
    for (const key of this.models.keys()) {
      if (this.models.size <= capacity) break;
      this.models.delete(key);
      evicted += 1;
    }
    return evicted;
  }

  loadedModels(): string[] {
    return [...this.models.keys()];
  }
}
