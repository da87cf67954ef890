import { Aws, Fn } from 'aws-cdk-lib';
import { type DreamqueueSettings } from './settings';

/**
 * The variables the api and worker read in production (libs/config commonEnv plus each app's own).
 * S3_ENDPOINT and SAGEMAKER_ENDPOINT stay unset: the SDK clients then talk to AWS with the default
 * credential chain, which on ECS is the task role. REDIS_URL is injected from Secrets Manager.
 */
export function commonEnvironment(settings: DreamqueueSettings, bucketName: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    QUEUE_PREFIX: '{dq}',
    AWS_REGION: Aws.REGION,
    S3_BUCKET: bucketName,
    TRAINING_ENDPOINT: settings.trainingEndpointName,
    MME_ENDPOINT: settings.mmeEndpointName,
    MME_PREFIX: settings.mmePrefix,
    PRESIGN_EXPIRY_SECONDS: '3600',
  };
}

export const API_PORT = 3000;
export const WORKER_HEALTH_PORT = 3001;

/**
 * The ALB is the one proxy in front of the api (TRUST_PROXY=1: the client IP is the last X-Forwarded-For
 * entry); SNS_TOPIC_ARNS makes the public SNS receiver verify signatures and confirm subscriptions.
 */
export function apiEnvironment(
  settings: DreamqueueSettings,
  bucketName: string,
  snsTopicArns: string[],
): Record<string, string> {
  return {
    ...commonEnvironment(settings, bucketName),
    PORT: String(API_PORT),
    HOST: '0.0.0.0',
    ADMIN_ENABLED: 'true',
    TRUST_PROXY: '1',
    SNS_TOPIC_ARNS: Fn.join(',', snsTopicArns),
  };
}

export function workerEnvironment(settings: DreamqueueSettings, bucketName: string): Record<string, string> {
  return { ...commonEnvironment(settings, bucketName), WORKER_HEALTH_PORT: String(WORKER_HEALTH_PORT) };
}

/** A container health check without curl (the runtime image is node:20-bookworm-slim): Node 20 has fetch. */
export function httpHealthCommand(port: number, path = '/healthz'): string[] {
  const script = `fetch('http://127.0.0.1:${port}${path}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;
  return ['CMD', 'node', '-e', script];
}
