export {
  createS3Client,
  createSageMakerClient,
  createSageMakerRuntimeClient,
  type AwsClientOptions,
  type RuntimeClientOptions,
  type S3ClientOptions,
} from './clients';
export { classifyAwsError, type AwsFailure, type AwsFailureKind } from './classify-aws-error';
export {
  SageMakerAsyncInference,
  type AsyncInference,
  type AsyncInvocation,
  type AsyncInvocationRequest,
} from './sagemaker-async.client';
export { SageMakerMultiModelInference, type MultiModelInference, type MultiModelRequest } from './sagemaker-mme.client';
export { decodeGenerationResponse, encodeGenerationRequest, type GenerationRow } from './kserve-codec';
