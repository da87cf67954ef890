import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { type Redis } from 'ioredis';
import { type ReadinessCheck } from './routes/health.routes';

/** What `/readyz` verifies: Redis answers, the bucket is reachable, both endpoints are InService. */
export function readinessChecks(deps: {
  redis: Redis;
  s3: S3Client;
  sageMaker: SageMakerClient;
  bucket: string;
  endpoints: string[];
}): ReadinessCheck[] {
  return [
    { name: 'redis', check: async () => void (await deps.redis.ping()) },
    {
      name: 's3',
      check: async (signal) =>
        void (await deps.s3.send(new HeadBucketCommand({ Bucket: deps.bucket }), { abortSignal: signal })),
    },
    ...deps.endpoints.map((endpoint) => ({
      name: `sagemaker:${endpoint}`,
      check: async (signal: AbortSignal) => {
        const out = await deps.sageMaker.send(new DescribeEndpointCommand({ EndpointName: endpoint }), {
          abortSignal: signal,
        });
        if (out.EndpointStatus !== 'InService') throw new Error(`endpoint is ${out.EndpointStatus}`);
      },
    })),
  ];
}
