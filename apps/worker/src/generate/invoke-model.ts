import {
  classifyAwsError,
  encodeGenerationRequest,
  type AwsFailure,
  type GenerationRow,
  type MultiModelInference,
} from '@dreamqueue/aws';
import { isBaseModelMissing, SETUP_MODEL, setupRequestBody } from '@dreamqueue/contracts';

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
    if (!isBaseModelMissing(err)) throw err;
    await mme.invoke({
      endpoint: request.endpoint,
      targetModel: SETUP_MODEL,
      body: setupRequestBody(),
      signal: request.signal,
    });
    return call();
  }
}

/**
 * What a failed invocation means for its job. The model container answers a missing base model as a 400,
 * but it is no fault of the request: the call that follows a bootstrap can reach an instance that is not
 * set up yet (model_setup ran on another one), so the job runs again later instead of failing its items.
 */
export function classifyInvocationError(err: unknown): AwsFailure {
  if (!isBaseModelMissing(err)) return classifyAwsError(err);
  return {
    kind: 'transient',
    name: 'BaseModelMissing',
    reason: 'The instance that took the call has not run model_setup yet.',
  };
}
