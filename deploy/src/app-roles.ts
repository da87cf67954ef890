import * as iam from 'aws-cdk-lib/aws-iam';
import { type Construct } from 'constructs';
import { type DreamqueueSettings } from './settings';
import { PREFIXES, type Storage } from './storage.construct';

export interface AppRoleProps {
  storage: Storage;
  settings: DreamqueueSettings;
  trainingEndpointArn: string;
  mmeEndpointArn: string;
}

/** Namespace of the metrics the worker publishes (WaitingJobs per queue); the only one it may write to. */
export const APP_METRIC_NAMESPACE = 'Dreamqueue';

const ecsTasks = () => new iam.ServicePrincipal('ecs-tasks.amazonaws.com');

/**
 * The API stores uploads (training photos and tarballs under tenants/), presigns GETs for tenant objects
 * (a presigned URL carries the signer's permissions, so it needs s3:GetObject there), and its /readyz
 * checks the bucket (HeadBucket = s3:ListBucket) and that both endpoints are InService. It never invokes
 * SageMaker: that is the worker's job.
 */
export function createApiTaskRole(scope: Construct, props: AppRoleProps): iam.Role {
  const role = new iam.Role(scope, 'ApiTaskRole', { assumedBy: ecsTasks(), description: 'dreamqueue api tasks' });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject'],
      resources: [props.storage.objectsUnder(PREFIXES.tenants)],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.storage.bucket.bucketArn] }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['sagemaker:DescribeEndpoint'],
      resources: [props.trainingEndpointArn, props.mmeEndpointArn],
    }),
  );
  return role;
}

/**
 * The worker invokes the two endpoints (and nothing else), reads and writes tenant objects (training
 * inputs, generated images, manifests), reads async outputs and failures, and registers artifacts by
 * copying them within the MME prefix (Copy = GetObject on the source + PutObject on the target).
 */
export function createWorkerTaskRole(scope: Construct, props: AppRoleProps): iam.Role {
  const { storage, settings } = props;
  const role = new iam.Role(scope, 'WorkerTaskRole', { assumedBy: ecsTasks(), description: 'dreamqueue worker tasks' });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync'],
      resources: [props.trainingEndpointArn, props.mmeEndpointArn],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging', 's3:DeleteObject'],
      resources: [storage.objectsUnder(PREFIXES.tenants), storage.objectsUnder(settings.mmePrefix)],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [storage.objectsUnder(PREFIXES.asyncOutput), storage.objectsUnder(PREFIXES.asyncFailures)],
    }),
  );
  // Without ListBucket, S3 answers 403 instead of 404 for a missing key, and the worker polls for async
  // output objects that do not exist yet: "not there yet" must look like NotFound, not like AccessDenied.
  role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [storage.bucket.bucketArn] }));
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'], // PutMetricData has no resource type; the namespace condition is the scope.
      conditions: { StringEquals: { 'cloudwatch:namespace': APP_METRIC_NAMESPACE } },
    }),
  );
  return role;
}
