import { type ModelDescription } from '../../model/artifact';

/** A model on an instance: usable once `readyAt` (real epoch ms) has passed. */
export interface LoadedModel {
  description: ModelDescription;
  /** ETag of the artifact that was loaded: images depend on it, so an overwritten artifact shows up. */
  etag: string;
  readyAt: number;
}

/**
 * One simulated MME instance: whether model_setup has unpacked the base model here (per-instance,
 * non-persistent state), and an LRU of loaded LoRA models (Map order = least recently used first).
 */
export class MmeInstance {
  setupReadyAt: number | undefined;
  private readonly models = new Map<string, LoadedModel>();
  /** Loads in progress, so concurrent first calls share one download. */
  readonly pending = new Map<string, Promise<LoadedModel>>();

  constructor(readonly id: number) {}

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
