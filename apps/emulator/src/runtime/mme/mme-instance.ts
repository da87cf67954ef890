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
  /** Inferences running now (each holds one of the instance's `mmeCapacity` slots). */
  busy = 0;
  /** Requests routed here that wait for a model to finish loading. */
  waitingForLoad = 0;

  constructor(readonly id: number) {}

  /** Requests the router counts against this instance (SageMaker routes by outstanding requests). */
  outstanding(): number {
    return this.busy + this.waitingForLoad;
  }

  /** Whether `targetModel` is loaded (or loading) here. */
  holds(targetModel: string): boolean {
    return this.models.has(targetModel) || this.pending.has(targetModel);
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
