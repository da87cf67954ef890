import { CONDA_PACK_MISSING, SETUP_MODEL } from '@dreamqueue/contracts';
import { renderImage } from '../../model/render-image';
import { modelError, modelNotReady, throttling } from '../runtime-error';
import { type ContainerBackendRef } from '../../containers/container-backend';
import { ContainerMme } from './container-mme';
import { KServeInputError, parseGenerationRequest } from './kserve-request';
import { MmeInstance } from './mme-instance';
import { type InstanceStats } from '../../observe/stats';
import { routeRequest } from './mme-router';
import { ensureModelReady, missingModel, RESPONSE_LIMIT_MS, type ModelLoaderDeps } from './model-loader';
import { setupRequestRefusal, setupResponse } from './setup-request';
import { assertSafeTargetModel } from './target-model';

export interface MmeServiceDeps extends ModelLoaderDeps {
  instances: number;
  /** The real containers' code, when EMULATOR_BACKEND=containers. */
  containers?: ContainerBackendRef;
}

/** The caller hung up before its request reached the GPU: nothing is served (a load it started goes on). */
export class ClientGoneError extends Error {}

/**
 * The multi-model endpoint's behaviour behind the HTTP route: routing, bootstrap, loading, inference.
 * Capacity is per instance (`mmeCapacity` inference slots each), so the endpoint's is their sum.
 */
export class MmeService {
  private readonly instances: MmeInstance[];
  private nextSetupInstance = 0;
  private readonly containerMme: ContainerMme;

  constructor(private readonly deps: MmeServiceDeps) {
    this.instances = Array.from({ length: deps.instances }, (_, i) => new MmeInstance(i));
    this.containerMme = new ContainerMme(deps);
  }

  /** Inferences running now, over all instances. */
  get inFlight(): number {
    return this.instances.reduce((n, i) => n + i.busy, 0);
  }

  /** Answers one InvokeEndpoint with its JSON body; failures are thrown as RuntimeErrors. */
  async invoke(rawTargetModel: string | undefined, body: Buffer, signal?: AbortSignal): Promise<Buffer> {
    const targetModel = assertSafeTargetModel(rawTargetModel);
    const backend = this.deps.containers?.backend;
    if (backend) {
      const instance =
        targetModel === SETUP_MODEL
          ? this.instances[this.nextSetupInstance++ % this.instances.length]
          : this.containerInstanceFor(targetModel);
      const answer = await this.containerMme.invoke(backend, instance.id, targetModel, body);
      if (targetModel === SETUP_MODEL) instance.setupReadyAt ??= Date.now();
      return answer;
    }
    if (targetModel === SETUP_MODEL) return this.bootstrap(body);
    const slots = this.deps.settings.mmeCapacity;
    const instance = routeRequest(this.instances, targetModel, slots);
    if (!instance) throw throttling();
    // Counted as outstanding from the routing decision on, so concurrent requests spread over instances,
    // and the model counts as held here from then on, so concurrent requests for it meet here.
    instance.waitingForLoad += 1;
    const routed = instance.routedHere(targetModel);
    let model;
    try {
      model = await this.prepare(instance, targetModel);
    } finally {
      routed();
      instance.waitingForLoad -= 1;
    }
    if (signal?.aborted) throw new ClientGoneError('The client closed the request before it was served');
    // The slot is taken only now: a request that waited for a load finds the instance's slots as the
    // others left them, and is throttled (its model is loaded now, so the retry is a warm call).
    if (instance.busy >= slots) throw throttling();
    const releaseSlot = instance.takeSlot(targetModel);
    let images: Buffer[];
    let rows;
    try {
      rows = this.parseRows(body);
      const tag = `${model.description.id}:${model.etag}`;
      // The pictures are drawn within the latency model's time, not after it: the emulator's own CPU time
      // would otherwise add to every invocation.
      [images] = await Promise.all([
        Promise.all(rows.map((row) => renderImage({ ...row, palette: model.description.palette, modelTag: tag }))),
        this.spendInferenceTime(rows.length),
      ]);
    } finally {
      releaseSlot();
    }
    this.deps.stats.served(targetModel, rows.length);
    const outputs = [
      {
        name: 'generated_image',
        shape: [rows.length, 1],
        datatype: 'BYTES',
        data: images.map((i) => i.toString('base64')),
      },
    ];
    return Buffer.from(JSON.stringify({ outputs }));
  }

  /** Containers backend: the instance holding the model, else the one holding the fewest. */
  private containerInstanceFor(targetModel: string): MmeInstance {
    const held = (i: MmeInstance) => this.containerMme.loadedModels(i.id).length;
    const holder = this.instances.find((i) => this.containerMme.isLoaded(i.id, targetModel));
    return holder ?? this.instances.reduce((best, i) => (held(i) < held(best) ? i : best));
  }

  /** Checks the artifact and the instance's bootstrap, then waits until the model is loaded there. */
  private async prepare(instance: MmeInstance, targetModel: string) {
    // SageMaker downloads the artifact before the container tries to load it: a missing object is the
    // service's ValidationError even on an instance that was never bootstrapped.
    if (!instance.has(targetModel)) await this.assertExists(targetModel);
    if (!instance.isBootstrapped(Date.now())) {
      // Triton's python backend cannot find the model's EXECUTION_ENV_PATH (vector base-model-missing.json).
      throw tritonError(
        this.deps.endpoint,
        `load failed for model '${tritonModelName(targetModel)}': version 1 is at UNAVAILABLE state: Internal: ${CONDA_PACK_MISSING};`,
      );
    }
    const { fixedLatencyMs, perImageLatencyMs } = this.deps.settings;
    return ensureModelReady(this.deps, instance, targetModel, fixedLatencyMs + perImageLatencyMs);
  }

  /** Instances' state, for the stats endpoint and tests. */
  describeInstances(): InstanceStats[] {
    const now = Date.now();
    const containers = this.deps.containers?.backend !== undefined;
    return this.instances.map((i) => ({
      id: i.id,
      bootstrapped: i.isBootstrapped(now),
      models: containers ? this.containerMme.loadedModels(i.id) : i.loadedModels(),
      inFlight: i.busy,
      inFlightByModel: Object.fromEntries(i.busyByModel),
      waitingForLoad: i.waitingForLoad,
    }));
  }

  /**
   * model_setup is routed round-robin (SageMaker spreads calls over instances), so calling it once per
   * instance bootstraps them all. Its load is a cold load like any model's, and the setup happens in that
   * load (initialize()): a request Triton then refuses still leaves the instance set up, but answers 400.
   */
  private async bootstrap(body: Buffer): Promise<Buffer> {
    const instance = this.instances[this.nextSetupInstance++ % this.instances.length];
    if (instance.setupReadyAt === undefined) {
      await this.assertExists(SETUP_MODEL);
      instance.setupReadyAt = Date.now() + this.deps.clock.realMs(this.deps.settings.coldLoadSeconds * 1000);
      this.deps.stats.coldLoad();
    }
    const remainingMs = this.deps.clock.emulatedMs(instance.setupReadyAt - Date.now());
    if (remainingMs > RESPONSE_LIMIT_MS) throw modelNotReady(this.deps.endpoint, SETUP_MODEL);
    // Once model_setup answers, the instance is set up: a call sent right after it must find it so.
    if (remainingMs > 0) await this.deps.clock.sleepUntil(instance.setupReadyAt);
    const refusal = setupRequestRefusal(body);
    if (refusal) throw tritonError(this.deps.endpoint, refusal);
    this.deps.stats.served(SETUP_MODEL, 1);
    return setupResponse('Model env setup successful.');
  }

  private async assertExists(targetModel: string): Promise<void> {
    const key = `${this.deps.prefix}${targetModel}`;
    if ((await this.deps.store.head(this.deps.bucket, key)) === undefined) throw missingModel(this.deps.bucket, key);
  }

  private parseRows(body: Buffer) {
    try {
      return parseGenerationRequest(body);
    } catch (err) {
      if (err instanceof KServeInputError) throw modelError(this.deps.endpoint, 400, err.message);
      throw err;
    }
  }

  /** The latency model; a batch that would exceed the 60 s limit times out as SageMaker's would. */
  private async spendInferenceTime(rows: number): Promise<void> {
    const latencyMs = this.deps.settings.fixedLatencyMs + this.deps.settings.perImageLatencyMs * rows;
    if (latencyMs > RESPONSE_LIMIT_MS) {
      await this.deps.clock.sleep(RESPONSE_LIMIT_MS);
      throw modelError(
        this.deps.endpoint,
        500,
        `Model did not respond within ${RESPONSE_LIMIT_MS / 1000} s (the invocation timed out).`,
      );
    }
    await this.deps.clock.sleep(latencyMs);
  }
}

/** Triton's name for a TargetModel (under SageMaker MME the real mapping is not verified). */
function tritonModelName(targetModel: string): string {
  return targetModel.replace(/\.tar\.gz$/, '');
}

/** Triton answers errors as 400 `{"error": "…"}`; SageMaker wraps that as a ModelError. */
function tritonError(endpoint: string, message: string) {
  return modelError(endpoint, 400, JSON.stringify({ error: message }));
}
