import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { type Construct } from 'constructs';
import { createApiTaskRole, createWorkerTaskRole } from './app-roles';
import { MmeEndpoint } from './mme-endpoint.construct';
import { Notifications, SNS_RECEIVER_PATH } from './notifications.construct';
import { RedisCluster } from './redis.construct';
import { Services } from './services.construct';
import { type DreamqueueSettings } from './settings';
import { Storage } from './storage.construct';
import { TrainingEndpoint } from './training-endpoint.construct';

export interface DreamqueueStackProps extends StackProps {
  settings: DreamqueueSettings;
}

/**
 * dreamqueue in one environment-agnostic stack (no lookups: it synthesizes without AWS credentials).
 * Data flow: api → S3 (tenants/) + Redis → worker → SageMaker async (training) / MME (generation) → S3.
 */
export class DreamqueueStack extends Stack {
  readonly storage: Storage;
  readonly redis: RedisCluster;
  readonly training: TrainingEndpoint;
  readonly mme: MmeEndpoint;
  readonly services: Services;

  constructor(scope: Construct, id: string, props: DreamqueueStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 });
    // S3 traffic (photos, images, artifacts) bypasses the NAT gateway: cheaper and it never leaves AWS.
    vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });

    this.storage = new Storage(this, 'Storage', { generatedRetentionDays: settings.generatedRetentionDays });
    this.redis = new RedisCluster(this, 'Redis', { vpc, nodeType: settings.redisNodeType });
    const notifications = new Notifications(this, 'Notifications', { apiBaseUrl: settings.apiBaseUrl });
    if (settings.apiBaseUrl === undefined) {
      Annotations.of(notifications).addWarningV2(
        'dreamqueue:no-sns-subscription',
        `No SNS subscription: set context dreamqueue:apiBaseUrl (https://…) to push training completions to ${SNS_RECEIVER_PATH}. ` +
          'Workers still detect completion by polling S3.',
      );
    }
    this.training = new TrainingEndpoint(this, 'Training', {
      storage: this.storage,
      settings,
      successTopic: notifications.successTopic,
      errorTopic: notifications.errorTopic,
    });
    this.mme = new MmeEndpoint(this, 'Mme', { storage: this.storage, settings });

    const roleProps = {
      storage: this.storage,
      settings,
      trainingEndpointArn: this.training.endpointArn,
      mmeEndpointArn: this.mme.endpointArn,
    };
    this.services = new Services(this, 'Services', {
      vpc,
      settings,
      bucketName: this.storage.bucket.bucketName,
      redis: this.redis,
      apiRole: createApiTaskRole(this, roleProps),
      workerRole: createWorkerTaskRole(this, roleProps),
      snsTopicArns: [notifications.successTopic.topicArn, notifications.errorTopic.topicArn],
    });

    new CfnOutput(this, 'ApiUrl', {
      value: `http${settings.certificateArn ? 's' : ''}://${this.services.api.loadBalancer.loadBalancerDnsName}`,
    });
    new CfnOutput(this, 'BucketName', { value: this.storage.bucket.bucketName });
    new CfnOutput(this, 'TrainingEndpointName', { value: this.training.endpointName });
    new CfnOutput(this, 'MmeEndpointName', { value: this.mme.endpointName });
    new CfnOutput(this, 'MmeModelDataUrl', { value: this.storage.s3Uri(settings.mmePrefix) });
  }
}
