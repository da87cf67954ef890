import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { VARIANT, variantScalableTarget } from './endpoint-variant';
import { createSageMakerExecutionRole, endpointArn } from './sagemaker-role';
import { type DreamqueueSettings } from './settings';
import { PREFIXES, type Storage } from './storage.construct';

export interface TrainingEndpointProps {
  storage: Storage;
  settings: DreamqueueSettings;
  successTopic: sns.ITopic;
  errorTopic: sns.ITopic;
}

/**
 * The async training endpoint (DJL + containers/training). A training runs ~25 min inside one invocation,
 * so the worker sends InvocationTimeoutSeconds (≤ 3600) and the container's predict_timeout is 3600.
 * Two invocations per instance: the guidance's figure for ml.g5.xlarge (24 GB holds two LoRA trainings).
 */
export class TrainingEndpoint extends Construct {
  readonly endpointName: string;
  readonly endpointArn: string;
  readonly scalableTarget: appscaling.ScalableTarget;

  constructor(scope: Construct, id: string, props: TrainingEndpointProps) {
    super(scope, id);
    const { storage, settings } = props;
    this.endpointName = settings.trainingEndpointName;
    this.endpointArn = endpointArn(this, this.endpointName);

    const role = createSageMakerExecutionRole(this, 'ExecutionRole', 'dreamqueue training endpoint');
    // Reads the training tarball (InputLocation under tenants/) and its own code; writes the async output
    // and failure objects and the trained artifact into the MME prefix; announces completion on SNS.
    storage.bucket.grantRead(role, `${PREFIXES.tenants}*`);
    storage.bucket.grantRead(role, `${PREFIXES.code}*`);
    storage.bucket.grantPut(role, `${PREFIXES.asyncOutput}*`);
    storage.bucket.grantPut(role, `${PREFIXES.asyncFailures}*`);
    storage.bucket.grantPut(role, `${settings.mmePrefix}*`);
    props.successTopic.grantPublish(role);
    props.errorTopic.grantPublish(role);

    const model = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: role.roleArn,
      primaryContainer: {
        image: settings.trainingImage,
        modelDataUrl: `s3://${storage.bucket.bucketName}/${settings.trainingCodeKey}`,
        environment: {
          // DJL maps OPTION_<NAME> to option.<name> of serving.properties, so one code tarball fits any stack.
          OPTION_S3_BUCKET: storage.bucket.bucketName,
          OPTION_MME_PREFIX: settings.mmePrefix,
        },
      },
    });
    model.node.addDependency(role);

    const config = new sagemaker.CfnEndpointConfig(this, 'Config', {
      productionVariants: [
        {
          variantName: VARIANT,
          modelName: model.attrModelName,
          instanceType: settings.trainingInstanceType,
          initialInstanceCount: 1,
        },
      ],
      asyncInferenceConfig: {
        outputConfig: {
          s3OutputPath: storage.s3Uri(PREFIXES.asyncOutput),
          s3FailurePath: storage.s3Uri(PREFIXES.asyncFailures),
          notificationConfig: {
            successTopic: props.successTopic.topicArn,
            errorTopic: props.errorTopic.topicArn,
            includeInferenceResponseIn: ['SUCCESS_NOTIFICATION_TOPIC', 'ERROR_NOTIFICATION_TOPIC'],
          },
        },
        clientConfig: { maxConcurrentInvocationsPerInstance: 2 },
      },
    });

    const endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      endpointConfigName: config.attrEndpointConfigName,
    });

    this.scalableTarget = this.addScaling(endpoint, settings);
  }

  /**
   * Scale on the queue SageMaker keeps in front of the endpoint: target-track the backlog per instance
   * (down to zero when idle), and step out of zero on HasBacklogWithoutCapacity, because a per-instance
   * metric has no value at zero instances. A training in flight counts in the backlog, so an instance
   * running one is never scaled away.
   */
  private addScaling(endpoint: sagemaker.CfnEndpoint, settings: DreamqueueSettings): appscaling.ScalableTarget {
    const target = variantScalableTarget(this, endpoint, this.endpointName, {
      min: 0,
      max: settings.trainingMaxInstances,
    });

    const metric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SageMaker',
        metricName,
        dimensionsMap: { EndpointName: this.endpointName },
        statistic: 'Average',
        period: Duration.minutes(1),
      });

    target.scaleToTrackMetric('BacklogPerInstance', {
      targetValue: settings.trainingBacklogPerInstance,
      customMetric: metric('ApproximateBacklogSizePerInstance'),
      // A GPU instance takes minutes to come up and bills by the second: scale out promptly, in slowly.
      scaleOutCooldown: Duration.minutes(5),
      scaleInCooldown: Duration.minutes(15),
    });

    const fromZero = new appscaling.StepScalingAction(this, 'ScaleOutFromZero', {
      scalingTarget: target,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(5),
      metricAggregationType: appscaling.MetricAggregationType.AVERAGE,
    });
    fromZero.addAdjustment({ lowerBound: 0, adjustment: 1 });
    const alarm = new cloudwatch.Alarm(this, 'HasBacklogWithoutCapacity', {
      alarmDescription: 'Async training requests are queued while the endpoint has no instance',
      metric: metric('HasBacklogWithoutCapacity'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cwActions.ApplicationScalingAction(fromZero));
    return target;
  }
}
