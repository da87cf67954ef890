// What the endpoint benchmarks (bench:efficiency, bench:fairness) share: the GPU endpoint they emulate, the
// stack under test (a private Redis, the emulator in its own process, the API app, the real generate worker)
// and the worker settings an operator would use for that endpoint, scaled to the benchmark's time scale.
'use strict';
const s = require('./generation-stack');

/** One instance of a realistic GPU endpoint: 2 s + 1 s per image, 4 concurrent inferences, 8 models, 20 s loads. */
const GPU = {
  fixedLatencyMs: 2000,
  perImageLatencyMs: 1000,
  mmeCapacity: 4,
  coldLoadSeconds: 20,
  modelsPerInstance: 8,
};

/** Images/s at full 8-row batches on `instances` instances. */
const capacityOf = (instances) =>
  (instances * GPU.mmeCapacity * 8) / ((GPU.fixedLatencyMs + 8 * GPU.perImageLatencyMs) / 1000);

function describeEndpoint() {
  return `endpoint instance: ${GPU.fixedLatencyMs / 1000} s + ${GPU.perImageLatencyMs / 1000} s/image, ${GPU.mmeCapacity} concurrent, ${GPU.modelsPerInstance} models, ${GPU.coldLoadSeconds} s cold load; theoretical ${capacityOf(1).toFixed(2)} images/s per instance`;
}

/**
 * Starts the emulator (own process), the API app and registers `models` ([tenant, modelId] pairs) with a key
 * per tenant. Every instance is bootstrapped (model_setup) before it returns: an endpoint in service has
 * done that once per instance, so no workload pays it; every LoRA model starts cold.
 */
async function startEndpointStack({ redisUrl, prefix, scale, instances, models }) {
  const emulator = await s.startEmulatorProcess({ timeScale: scale, ...GPU, mmeInstances: instances });
  const clients = s.awsClients(emulator);
  const api = await s.buildApi({ redisUrl, prefix, emulator, s3: clients.s3 });
  const server = await s.listen(api.app);
  const keys = {};
  for (const [i, [tenant, modelId]] of models.entries()) {
    keys[tenant] ??= await api.keyFor(tenant);
    await api.registerModel(tenant, modelId, [[(i * 10) % 256, 100, (200 + 256 - i * 5) % 256]]);
  }
  await bootstrapInstances(clients.runtime, emulator, instances);
  const submit = async (tenant, modelId, items) => {
    const res = await fetch(`${server.base}/v1/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys[tenant]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: modelId, items }),
    });
    if (res.status !== 202) throw new Error(`batch intake answered ${res.status}: ${await res.text()}`);
    return (await res.json()).id;
  };
  /** An interactive generation (`POST /v1/generations`); resolves its id. */
  const generate = async (tenant, modelId, prompt) => {
    const res = await fetch(`${server.base}/v1/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys[tenant]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: modelId, prompt, numImages: 1 }),
    });
    if (res.status !== 202) throw new Error(`generation intake answered ${res.status}: ${await res.text()}`);
    return (await res.json()).id;
  };
  return {
    emulator,
    clients,
    api,
    submit,
    generate,
    /** The real generate worker with the operator's settings for this endpoint, plus `env`. */
    startWorker: (env = {}) =>
      s.startGenerateWorker({
        redisUrl,
        prefix,
        emulator,
        ...clients,
        env: { ...workerEnv(scale, instances), ...env },
      }),
    async close() {
      await server.close();
      await api.close();
      clients.s3.destroy();
      clients.runtime.destroy();
      await emulator.close();
    },
  };
}

/** model_setup is routed round-robin over instances: one call per instance bootstraps them all. */
async function bootstrapInstances(runtime, emulator, instances) {
  const { SageMakerMultiModelInference } = s.dist('libs/aws/dist/index.js');
  const { SETUP_MODEL, setupRequestBody } = s.dist('libs/contracts/dist/index.js');
  const mme = new SageMakerMultiModelInference(runtime);
  for (let i = 0; i < instances; i++) {
    await mme.invoke({ endpoint: emulator.mmeEndpoint, targetModel: SETUP_MODEL, body: setupRequestBody() });
  }
}

/** Generate-worker settings for `instances` instances of GPU, with durations given in emulated time. */
function workerEnv(scale, instances) {
  const real = (emulatedMs) => `${Math.max(1, Math.round(emulatedMs * scale))}ms`;
  const slots = instances * GPU.mmeCapacity;
  return {
    // Concurrency as an operator sets it: the endpoint's instances × slots.
    GENERATE_CONCURRENCY: String(slots),
    GENERATE_INITIAL_PERMITS: String(slots),
    GENERATE_MODEL_SLOTS: String(GPU.mmeCapacity),
    GENERATE_WARM_MODELS: String(GPU.modelsPerInstance * instances),
    GENERATE_WARM_WINDOW: real(60_000),
    GENERATE_AFFINITY_DEFER: real(10_000),
    GENERATE_AFFINITY_MAX_DEFERRALS: '3',
    GENERATE_WARMUP_ABORT: real(5_000),
    GENERATE_COLD_LOAD_ESTIMATE: real(60_000),
    GENERATE_LIMIT_PROBE_INTERVAL: real(60_000),
    GENERATE_THROTTLE_BACKOFF: real(500),
    GENERATE_COLD_RETRY_DELAY: real(5_000),
  };
}

module.exports = { GPU, capacityOf, describeEndpoint, startEndpointStack, workerEnv };
