import { type AsyncInference, type AsyncInvocation, type AsyncInvocationRequest } from '../sagemaker-async.client';
import { type MultiModelInference, type MultiModelRequest } from '../sagemaker-mme.client';

/** Records every call and answers with what the test scripted; for pure unit tests of processors and steps. */
export class FakeAsyncInference implements AsyncInference {
  readonly calls: AsyncInvocationRequest[] = [];
  constructor(private readonly answer: (req: AsyncInvocationRequest) => AsyncInvocation | Promise<AsyncInvocation>) {}
  async invoke(request: AsyncInvocationRequest): Promise<AsyncInvocation> {
    this.calls.push(request);
    return this.answer(request);
  }
}

export class FakeMultiModelInference implements MultiModelInference {
  readonly calls: MultiModelRequest[] = [];
  constructor(private readonly answer: (req: MultiModelRequest) => Buffer | Promise<Buffer>) {}
  async invoke(request: MultiModelRequest): Promise<Buffer> {
    this.calls.push(request);
    return this.answer(request);
  }
}

/** An error shaped like the SDK's (name + $metadata), for classifier-driven code paths. */
export function awsError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} (test)`), { name, $metadata: { httpStatusCode: status }, ...extra });
}
