import { CONDA_PACK_MISSING, SETUP_MODEL } from '@dreamqueue/contracts';
import { renderImage } from '../../model/render-image';
import { modelError, modelNotReady } from '../runtime-error';
import { ConsistentHashRing } from './consistent-hash';
import { KServeInputError, parseGenerationRequest } from './kserve-request';
import { MmeInstance } from './mme-instance';
import { ensureModelReady, missingModel, RESPONSE_LIMIT_MS, type ModelLoaderDeps } from './model-loader';
import { setupRequestRefusal, setupResponse } from './setup-request';
import { assertSafeTargetModel } from './target-model';

export interface MmeServiceDeps extends ModelLoaderDeps {
  instances: number;
}

/** The multi-model endpoint's behaviour behind the HTTP route: routing, bootstrap, loading, inference. */
export class MmeService {
  private readonly instances: MmeInstance[];
  private readonly ring: ConsistentHashRing;
  private nextSetupInstance = 0;
  /** Invocations being served now; the handler compares it with `mmeCapacity`. */
  inFlight = 0;

  constructor(private readonly deps: MmeServiceDeps) {
    this.instances = Array.from({ length: deps.instances }, (_, i) => new MmeInstance(i));
    this.ring = new ConsistentHashRing(deps.instances);
  }

  /** Answers one InvokeEndpoint with its JSON body; failures are thrown as RuntimeErrors. */
  async invoke(rawTargetModel: string | undefined, body: Buffer): Promise<Buffer> {
    const targetModel = assertSafeTargetModel(rawTargetModel);
    if (targetModel === SETUP_MODEL) return this.bootstrap(body);
    const instance = this.instances[this.ring.instanceFor(targetModel)];
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
    const fixed = this.deps.settings.fixedLatencyMs;
    const model = await ensureModelReady(
      this.deps,
      instance,
      targetModel,
      fixed + this.deps.settings.perImageLatencyMs,
    );
    const rows = this.parseRows(body);
    await this.spendInferenceTime(rows.length);
    const images = await Promise.all(
      rows.map((row) =>
        renderImage({ ...row, palette: model.description.palette, modelTag: `${model.description.id}:${model.etag}` }),
      ),
    );
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

  /** Instances' state, for the stats endpoint and tests. */
  describeInstances(): { id: number; bootstrapped: boolean; models: string[] }[] {
    const now = Date.now();
    return this.instances.map((i) => ({ id: i.id, bootstrapped: i.isBootstrapped(now), models: i.loadedModels() }));
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
    if (remainingMs > 0) await this.deps.clock.sleep(remainingMs);
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
