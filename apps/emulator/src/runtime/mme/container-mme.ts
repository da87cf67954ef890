import { SETUP_MODEL } from '@dreamqueue/contracts';
import { type ContainerBackend } from '../../containers/container-backend';
import { type StatsRecorder } from '../../observe/stats';
import { type TunableSettings } from '../../options';
import { type ObjectStore } from '../../s3/object-store';
import { modelError } from '../runtime-error';
import { missingModel } from './model-loader';

export interface ContainerMmeDeps {
  store: ObjectStore;
  stats: StatsRecorder;
  settings: TunableSettings;
  endpoint: string;
  bucket: string;
  prefix: string;
}

/**
 * The MME served by the real Triton backends (EMULATOR_BACKEND=containers): the emulator still downloads
 * each TargetModel from the model prefix (missing → SageMaker's ValidationError), keeps an LRU of loaded
 * models per instance and wraps Triton's answers as SageMaker does (a non-200 answer becomes a ModelError
 * carrying Triton's status and body). Loading, model_setup's effect on the instance and inference are the
 * containers' code, through the Triton harness.
 */
export class ContainerMme {
  /** Loaded models per instance, least recently used first. */
  private readonly loaded = new Map<number, string[]>();

  constructor(private readonly deps: ContainerMmeDeps) {}

  async invoke(backend: ContainerBackend, instance: number, targetModel: string, body: Buffer): Promise<Buffer> {
    await this.ensureLoaded(backend, instance, targetModel);
    let request: unknown;
    try {
      request = JSON.parse(body.toString('utf8'));
    } catch {
      throw tritonError(this.deps.endpoint, 400, 'failed to parse the request JSON buffer: Invalid value.');
    }
    const answer = await backend.infer(instance, targetModel, request);
    if (answer.status !== 200) throw modelError(this.deps.endpoint, answer.status, JSON.stringify(answer.body));
    const rows = (answer.body as { outputs?: { shape?: number[] }[] }).outputs?.[0]?.shape?.[0] ?? 1;
    this.deps.stats.served(targetModel, targetModel === SETUP_MODEL ? 1 : rows);
    return Buffer.from(JSON.stringify(answer.body));
  }

  isLoaded(instance: number, targetModel: string): boolean {
    return (this.loaded.get(instance) ?? []).includes(targetModel);
  }

  loadedModels(instance: number): string[] {
    return (this.loaded.get(instance) ?? []).filter((m) => m !== SETUP_MODEL);
  }

  private async ensureLoaded(backend: ContainerBackend, instance: number, targetModel: string): Promise<void> {
    const models = this.loaded.get(instance) ?? [];
    this.loaded.set(instance, models);
    const at = models.indexOf(targetModel);
    if (at >= 0) {
      models.push(...models.splice(at, 1));
      return;
    }
    const key = `${this.deps.prefix}${targetModel}`;
    const object = await this.deps.store.get(this.deps.bucket, key);
    if (!object) throw missingModel(this.deps.bucket, key);
    const answer = await backend.load(instance, targetModel, object.data);
    // Triton's SageMaker front end answers every load failure but out-of-memory as 400 {"error": …}.
    if ('loadError' in answer) throw tritonError(this.deps.endpoint, 400, answer.loadError);
    this.deps.stats.coldLoad();
    models.push(targetModel);
    const loras = models.filter((m) => m !== SETUP_MODEL);
    while (loras.length > this.deps.settings.modelsPerInstance) {
      const evicted = loras.shift()!;
      models.splice(models.indexOf(evicted), 1);
      await backend.unload(instance, evicted);
      this.deps.stats.eviction();
    }
  }
}

function tritonError(endpoint: string, status: number, message: string) {
  return modelError(endpoint, status, JSON.stringify({ error: message }));
}
