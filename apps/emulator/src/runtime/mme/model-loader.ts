import { type Clock } from '../../clock';
import { parseArtifact } from '../../model/artifact';
import { type StatsRecorder } from '../../observe/stats';
import { type TunableSettings } from '../../options';
import { type ObjectStore } from '../../s3/object-store';
import { modelError, modelNotReady, validationError } from '../runtime-error';
import { type LoadedModel, type MmeInstance } from './mme-instance';

export interface ModelLoaderDeps {
  store: ObjectStore;
  clock: Clock;
  settings: TunableSettings;
  stats: StatsRecorder;
  endpoint: string;
  bucket: string;
  prefix: string;
}

/** SageMaker answers within 60 s (emulated); a load finishing later means ModelNotReadyException. */
export const RESPONSE_LIMIT_MS = 60_000;

/**
 * Gets a LoRA model ready on an instance. A model not yet on the instance is downloaded (missing →
 * ValidationError, as SageMaker says), parsed (corrupt → ModelError, again on every call since nothing is
 * cached) and then takes `coldLoadSeconds` to load. A call that can be served within the response limit
 * waits for the load; otherwise it gets ModelNotReadyException while the load carries on.
 */
export async function ensureModelReady(
  deps: ModelLoaderDeps,
  instance: MmeInstance,
  targetModel: string,
  inferenceMs: number,
): Promise<LoadedModel> {
  let model = instance.use(targetModel);
  if (!model) {
    let pending = instance.pending.get(targetModel);
    if (!pending) {
      pending = startLoad(deps, instance, targetModel).finally(() => instance.pending.delete(targetModel));
      instance.pending.set(targetModel, pending);
    }
    model = await pending;
  }
  const remainingMs = deps.clock.emulatedMs(model.readyAt - Date.now());
  if (remainingMs > 0) {
    if (remainingMs + inferenceMs > RESPONSE_LIMIT_MS) throw modelNotReady(deps.endpoint, targetModel);
    await deps.clock.sleepUntil(model.readyAt);
  }
  return model;
}

async function startLoad(deps: ModelLoaderDeps, instance: MmeInstance, targetModel: string): Promise<LoadedModel> {
  const key = `${deps.prefix}${targetModel}`;
  const object = await deps.store.get(deps.bucket, key);
  if (!object) throw missingModel(deps.bucket, key);
  let description;
  try {
    description = await parseArtifact(object.data);
  } catch (err) {
    throw modelError(deps.endpoint, 500, `Failed to load model ${targetModel}: ${(err as Error).message}`);
  }
  const model: LoadedModel = {
    description,
    etag: object.etag,
    readyAt: Date.now() + deps.clock.realMs(deps.settings.coldLoadSeconds * 1000),
  };
  deps.stats.coldLoad();
  const evicted = instance.add(targetModel, model, deps.settings.modelsPerInstance);
  for (let i = 0; i < evicted; i++) deps.stats.eviction();
  return model;
}

export function missingModel(bucket: string, key: string) {
  return validationError(
    `Failed to download model data(bucket: ${bucket}, key: ${key}). Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the model.`,
  );
}
