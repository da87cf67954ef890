import {
  classifyAwsError,
  encodeGenerationRequest,
  type GenerationRow,
  type MultiModelInference,
} from '@dreamqueue/aws';

/** The MME's per-instance bootstrap model (DESIGN.md §7): unpacks the base model before any LoRA loads. */
export const SETUP_MODEL = 'model_setup.tar.gz';

const SETUP_BODY = encodeGenerationRequest([{ prompt: 'setup', negativePrompt: '', seed: 0, steps: 1, guidance: 0 }]);

/** True when an instance answered that its base model is missing (it was replaced or restarted). */
export function needsBootstrap(err: unknown): boolean {
  const failure = classifyAwsError(err);
  return failure.name === 'ModelError' && /model_setup/.test(failure.reason);
}

/**
 * One invocation; when the instance lost its base model, bootstraps it and tries once more. A bootstrap
 * that is itself still loading surfaces as ModelNotReadyException, which the caller turns into a delay.
 */
export async function invokeModel(
  mme: MultiModelInference,
  request: { endpoint: string; targetModel: string; rows: GenerationRow[]; inferenceId: string; signal?: AbortSignal },
): Promise<Buffer> {
  const call = () =>
    mme.invoke({
      endpoint: request.endpoint,
      targetModel: request.targetModel,
      body: encodeGenerationRequest(request.rows),
      inferenceId: request.inferenceId,
      signal: request.signal,
    });
  try {
    return await call();
  } catch (err) {
    if (!needsBootstrap(err)) throw err;
    await mme.invoke({
      endpoint: request.endpoint,
      targetModel: SETUP_MODEL,
      body: SETUP_BODY,
      signal: request.signal,
    });
    return call();
  }
}
