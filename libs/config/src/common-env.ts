import { z } from 'zod';
import { boolEnv, intEnv } from './env-schemas';

/** Variables every dreamqueue process reads: Redis, AWS, the SageMaker/S3 names and tracing. Spread into an app schema. */
export const commonEnv = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected redis://host:port or rediss://…')
    .default('redis://127.0.0.1:6379'),
  /** Hash-tagged so every key of a deployment shares one Redis Cluster slot. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^\{[a-zA-Z0-9_-]+\}$/, 'expected a Redis hash tag such as {dq}')
    .default('{dq}'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Local S3 (the emulator); unset in production. */
  S3_ENDPOINT: z.url().optional(),
  /** Local SageMaker (the emulator); unset in production. */
  SAGEMAKER_ENDPOINT: z.url().optional(),
  S3_BUCKET: z.string().min(3).max(63).default('dreamqueue'),
  TRAINING_ENDPOINT: z.string().min(1).default('dreamqueue-training'),
  MME_ENDPOINT: z.string().min(1).default('dreamqueue-mme'),
  MME_PREFIX: z
    .string()
    .regex(/^([a-z0-9-]+\/)*$/, 'expected a key prefix ending in /')
    .default('mme-models/'),
  /** How long presigned GET URLs in responses live (seconds, ≤ 3600). */
  PRESIGN_EXPIRY_SECONDS: intEnv(3600, 60, 3600),
  /** OpenTelemetry tracing (HTTP request → job → SageMaker call); off by default, and then a no-op. */
  OTEL_ENABLED: boolEnv(false),
  /** OTLP/HTTP collector base URL; spans go to `<url>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().default('http://127.0.0.1:4318'),
  /** `service.name` of the spans; unset: dreamqueue-api / dreamqueue-worker. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
};

/** Static credentials are only for local endpoints; production uses the default provider chain (a role). */
export function localCredentials(
  env: { S3_ENDPOINT?: string; SAGEMAKER_ENDPOINT?: string },
  processEnv: NodeJS.ProcessEnv,
) {
  const local = env.S3_ENDPOINT !== undefined || env.SAGEMAKER_ENDPOINT !== undefined;
  if (!local) return undefined;
  return {
    accessKeyId: processEnv.AWS_ACCESS_KEY_ID ?? 'S3RVER',
    secretAccessKey: processEnv.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
  };
}
