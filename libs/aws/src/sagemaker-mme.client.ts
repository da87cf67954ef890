import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

export interface MultiModelRequest {
  endpoint: string;
  /** Path relative to the MME's model prefix, built by the server (never user input). */
  targetModel: string;
  body: Uint8Array;
  /** Correlates the call with its job in logs and the emulator's ledger. */
  inferenceId?: string;
  signal?: AbortSignal;
}

/** The port the register/warm steps and the generate processor use to call the multi-model endpoint. */
export interface MultiModelInference {
  invoke(request: MultiModelRequest): Promise<Buffer>;
}

export class SageMakerMultiModelInference implements MultiModelInference {
  constructor(private readonly client: SageMakerRuntimeClient) {}

  async invoke(request: MultiModelRequest): Promise<Buffer> {
    const out = await this.client.send(
      new InvokeEndpointCommand({
        EndpointName: request.endpoint,
        TargetModel: request.targetModel,
        Body: request.body,
        ContentType: 'application/octet-stream',
        Accept: 'application/json',
        InferenceId: request.inferenceId,
      }),
      { abortSignal: request.signal },
    );
    return Buffer.from(out.Body ?? new Uint8Array());
  }
}
