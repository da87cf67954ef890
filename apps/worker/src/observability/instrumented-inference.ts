import {
  classifyAwsError,
  type AsyncInference,
  type AsyncInvocation,
  type AsyncInvocationRequest,
  type MultiModelInference,
  type MultiModelRequest,
} from '@dreamqueue/aws';
import { withClientSpan } from '@dreamqueue/tracing';
import { type WorkerMetrics } from './worker-metrics';

type SageMakerMetrics = Pick<
  WorkerMetrics,
  'sagemakerDuration' | 'sagemakerErrors' | 'sagemakerThrottles' | 'coldLoads' | 'images'
>;

/** Times a call and counts its failure by kind; the error itself is rethrown untouched. */
async function observe<T>(metrics: SageMakerMetrics, op: string, call: () => Promise<T>): Promise<T> {
  const end = metrics.sagemakerDuration.startTimer({ op });
  try {
    const result = await call();
    end({ outcome: 'ok' });
    return result;
  } catch (err) {
    const { kind } = classifyAwsError(err);
    end({ outcome: kind });
    metrics.sagemakerErrors.inc({ op, kind });
    if (kind === 'throttled') metrics.sagemakerThrottles.inc({ op });
    if (kind === 'model_not_ready') metrics.coldLoads.inc({ op });
    throw err;
  }
}

/** Decorates the async-inference port (training submissions) with metrics. */
export class InstrumentedAsyncInference implements AsyncInference {
  constructor(
    private readonly inner: AsyncInference,
    private readonly metrics: SageMakerMetrics,
  ) {}

  invoke(request: AsyncInvocationRequest): Promise<AsyncInvocation> {
    // Span attributes name the endpoint only: never the input location, URLs or credentials.
    const attributes = {
      'rpc.system': 'aws-api',
      'rpc.method': 'InvokeEndpointAsync',
      'aws.sagemaker.endpoint': request.endpoint,
    };
    return withClientSpan('sagemaker.InvokeEndpointAsync', attributes, () =>
      observe(this.metrics, 'invoke_async', () => this.inner.invoke(request)),
    );
  }
}

/** Decorates the multi-model port with metrics, counting the images each response carries. */
export class InstrumentedMultiModelInference implements MultiModelInference {
  constructor(
    private readonly inner: MultiModelInference,
    private readonly metrics: SageMakerMetrics,
  ) {}

  async invoke(request: MultiModelRequest): Promise<Buffer> {
    const attributes = {
      'rpc.system': 'aws-api',
      'rpc.method': 'InvokeEndpoint',
      'aws.sagemaker.endpoint': request.endpoint,
      'aws.sagemaker.target_model': request.targetModel,
    };
    const body = await withClientSpan('sagemaker.InvokeEndpoint', attributes, () =>
      observe(this.metrics, 'invoke_mme', () => this.inner.invoke(request)),
    );
    this.metrics.images.inc(countImages(body));
    return body;
  }
}

/** Rows of the `generated_image` output; 0 for a body that is not a KServe response (the processor reports those). */
export function countImages(body: Buffer): number {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { outputs?: Array<{ name?: string; data?: unknown[] }> };
    const images = parsed.outputs?.find((o) => o.name === 'generated_image');
    return Array.isArray(images?.data) ? images.data.length : 0;
  } catch {
    return 0;
  }
}
