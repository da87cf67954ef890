import { InvokeEndpointAsyncCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

export interface AsyncInvocationRequest {
  endpoint: string;
  /** `s3://bucket/key` of the input the endpoint reads. Always a server-built key. */
  inputLocation: string;
  /** Our own id (`train-<job>-<attempt>`), so a duplicate submission can be traced in the ledger. */
  inferenceId: string;
  /**
   * Always sent: AWS applies 900 s when it is absent, shorter than a training.
   * At most 3600.
   */
  invocationTimeoutSeconds: number;
  requestTtlSeconds?: number;
  customAttributes?: string;
  contentType?: string;
  signal?: AbortSignal;
}

export interface AsyncInvocation {
  inferenceId: string;
  outputLocation: string;
  failureLocation?: string;
}

/** The port the train step uses to submit an async inference. */
export interface AsyncInference {
  invoke(request: AsyncInvocationRequest): Promise<AsyncInvocation>;
}

export class SageMakerAsyncInference implements AsyncInference {
  constructor(private readonly client: SageMakerRuntimeClient) {}

  async invoke(request: AsyncInvocationRequest): Promise<AsyncInvocation> {
    if (!(request.invocationTimeoutSeconds > 0 && request.invocationTimeoutSeconds <= 3600)) {
      throw new RangeError(`invocationTimeoutSeconds must be within 1..3600, got ${request.invocationTimeoutSeconds}`);
    }
    const out = await this.client.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: request.endpoint,
        InputLocation: request.inputLocation,
        InferenceId: request.inferenceId,
        InvocationTimeoutSeconds: request.invocationTimeoutSeconds,
        RequestTTLSeconds: request.requestTtlSeconds,
        CustomAttributes: request.customAttributes,
        ContentType: request.contentType ?? 'application/x-tar',
      }),
      { abortSignal: request.signal },
    );
    if (!out.OutputLocation) throw new Error('InvokeEndpointAsync returned no OutputLocation');
    return {
      inferenceId: out.InferenceId ?? request.inferenceId,
      outputLocation: out.OutputLocation,
      failureLocation: out.FailureLocation,
    };
  }
}
