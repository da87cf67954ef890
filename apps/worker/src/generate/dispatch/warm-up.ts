import { encodeGenerationRequest, type MultiModelInference } from '@dreamqueue/aws';

const WARMUP_BODY = encodeGenerationRequest([
  { prompt: 'warm-up', negativePrompt: '', seed: 0, steps: 1, guidance: 0 },
]);

/**
 * Starts `targetModel`'s load on the endpoint without holding an invocation slot: the call hangs up after
 * `abortMs` (SageMaker goes on loading a model whose caller left). Errors are the caller's to ignore.
 */
export async function warmUpModel(
  mme: MultiModelInference,
  request: { endpoint: string; targetModel: string; abortMs: number },
): Promise<void> {
  await mme.invoke({
    endpoint: request.endpoint,
    targetModel: request.targetModel,
    body: WARMUP_BODY,
    inferenceId: 'warm-up',
    signal: AbortSignal.timeout(request.abortMs),
  });
}
