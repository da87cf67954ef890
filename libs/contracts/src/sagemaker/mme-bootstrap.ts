/**
 * The multi-model endpoint's per-instance bootstrap, in one place for the worker (warm step and generate
 * path) and the emulator. An MME instance's temp dir is per-instance state: until `model_setup.tar.gz` has
 * been invoked on it, the conda pack every LoRA model's Triton config points at (EXECUTION_ENV_PATH) and
 * the base model are missing, and LoRA models fail to load. Vectors: `model-setup.json`,
 * `base-model-missing.json` (the README there gives the sources and what is not verified).
 */
export const SETUP_MODEL = 'model_setup.tar.gz';

/** EXECUTION_ENV_PATH of every LoRA model (containers/mme/lora/config.pbtxt); only model_setup creates it. */
export const CONDA_PACK_PATH = '/tmp/conda/sd_env.tar.gz';

/** The one input model_setup/config.pbtxt declares (TYPE_STRING, dims [-1], optional); its value is ignored. */
export const SETUP_INPUT = 'input_args';

/** What Triton's python backend answers when EXECUTION_ENV_PATH does not exist (python_backend pb_env.cc). */
export const CONDA_PACK_MISSING = `Failed to get the canonical path for ${CONDA_PACK_PATH}.`;

/** What the LoRA backend's initialize() raises when the conda pack exists but the base model does not. */
export const BASE_MODEL_MISSING = `the base model and conda environment are missing; invoke ${SETUP_MODEL} first`;

/** The KServe v2 body model_setup accepts: one BYTES tensor of shape [1] named input_args. */
export function setupRequestBody(): Buffer {
  return Buffer.from(
    JSON.stringify({ inputs: [{ name: SETUP_INPUT, shape: [1], datatype: 'BYTES', data: ['setup'] }] }),
  );
}

/**
 * True when an invocation failed because the instance has not run model_setup. Keyed on what the
 * containers control (the conda pack path, the LoRA backend's own message), not on SageMaker's wrapper
 * text or status code, which are not verified for load failures.
 */
export function isBaseModelMissing(err: unknown): boolean {
  const e = err as { name?: unknown; message?: unknown; OriginalMessage?: unknown } | undefined;
  if (e?.name !== 'ModelError') return false;
  const text = [e.message, e.OriginalMessage].filter((v) => typeof v === 'string').join('\n');
  return text.includes(CONDA_PACK_PATH) || text.includes(`invoke ${SETUP_MODEL} first`);
}
