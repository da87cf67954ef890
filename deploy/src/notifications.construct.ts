import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationsProps {
  /** https://host of the API; the subscription posts to `<base>/v1/notifications/sns`. */
  apiBaseUrl?: string;
}

/** Path of the API's public SNS receiver (verifies the SNS signature; no API key: SNS cannot send one). */
export const SNS_RECEIVER_PATH = '/v1/notifications/sns';

/** SHA256 signatures: the receiver refuses the default SignatureVersion 1 (SHA1). */
const SIGNATURE_VERSION = '2';

/**
 * Async-inference completion topics. A notification only makes the worker's next check of the output
 * object happen sooner; the S3 object stays the source of truth, so a lost or duplicated message is harmless.
 * The topics use no KMS key: SageMaker would need kms:GenerateDataKey on it, and messages carry only ids
 * and S3 locations.
 */
export class Notifications extends Construct {
  readonly successTopic: sns.Topic;
  readonly errorTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    this.successTopic = new sns.Topic(this, 'TrainingSucceeded', {
      displayName: 'dreamqueue training succeeded',
      enforceSSL: true,
      signatureVersion: SIGNATURE_VERSION,
    });
    this.errorTopic = new sns.Topic(this, 'TrainingFailed', {
      displayName: 'dreamqueue training failed',
      enforceSSL: true,
      signatureVersion: SIGNATURE_VERSION,
    });
    if (props.apiBaseUrl === undefined) return;
    for (const topic of [this.successTopic, this.errorTopic]) {
      topic.addSubscription(
        new subscriptions.UrlSubscription(`${props.apiBaseUrl}${SNS_RECEIVER_PATH}`, {
          protocol: sns.SubscriptionProtocol.HTTPS,
          // The receiver needs the SNS envelope (Type, SubscribeURL, Signature) to confirm and verify.
          rawMessageDelivery: false,
        }),
      );
    }
  }
}
