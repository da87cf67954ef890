import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

export interface AwsClientOptions {
  region: string;
  /** Override for a local emulator, e.g. `http://127.0.0.1:4569`. Unset in production. */
  endpoint?: string;
  /** Static credentials for local use; production uses the default provider chain (an IAM role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface RuntimeClientOptions extends AwsClientOptions {
  /**
   * SDK-level attempts. BullMQ owns retries (with a 6-minute cold-load budget and rate limiting), so the
   * SDK must not hide throttling behind its own 3 attempts.
   * @defaultValue 1
   */
  maxAttempts?: number;
  /** Socket timeout: SageMaker answers within 60 s, so a little above that. @defaultValue 70000 */
  requestTimeoutMs?: number;
}

export function createSageMakerRuntimeClient(options: RuntimeClientOptions): SageMakerRuntimeClient {
  return new SageMakerRuntimeClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? 1,
    requestHandler: { requestTimeout: options.requestTimeoutMs ?? 70_000, connectionTimeout: 5_000 },
  });
}

export function createSageMakerClient(options: AwsClientOptions): SageMakerClient {
  return new SageMakerClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: 2,
  });
}

export interface S3ClientOptions extends AwsClientOptions {
  /**
   * Local S3 servers need path-style URLs and no streaming checksums (s3rver stores aws-chunked framing as
   * data). Real S3 keeps the SDK defaults.
   * @defaultValue true when `endpoint` is set
   */
  local?: boolean;
}

export function createS3Client(options: S3ClientOptions): S3Client {
  const local = options.local ?? options.endpoint !== undefined;
  return new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    ...(local && {
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED' as const,
      responseChecksumValidation: 'WHEN_REQUIRED' as const,
    }),
  });
}
