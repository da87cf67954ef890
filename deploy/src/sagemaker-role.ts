import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { type Construct } from 'constructs';

/**
 * The execution role a SageMaker model runs as: it pulls the image, writes its logs and metrics, and gets
 * S3/SNS grants from the endpoint construct that owns it. ECR actions stay on `*` because the images live
 * in AWS-owned accounts (DJL, Triton) whose repository ARNs differ per region; nothing else does.
 */
export function createSageMakerExecutionRole(scope: Construct, id: string, description: string): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), description });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: [
        'ecr:GetAuthorizationToken',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchCheckLayerAvailability',
      ],
      resources: ['*'],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: '/aws/sagemaker/*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*', 'AWS/SageMaker'] } },
    }),
  );
  return role;
}

/** `arn:aws:sagemaker:<region>:<account>:endpoint/<name>`; SageMaker lower-cases endpoint names in ARNs. */
export function endpointArn(scope: Construct, endpointName: string): string {
  return Stack.of(scope).formatArn({
    service: 'sagemaker',
    resource: 'endpoint',
    resourceName: endpointName.toLowerCase(),
  });
}
