import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { VARIANT, variantScalableTarget } from './endpoint-variant';
import { createSageMakerExecutionRole, endpointArn } from './sagemaker-role';
import { type DreamqueueSettings } from './settings';
import { type Storage } from './storage.construct';

export interface MmeEndpointProps {
  storage: Storage;
  settings: DreamqueueSettings;
}

/**
 * The multi-model endpoint (Triton, containers/mme). ModelDataUrl is a prefix: every `TargetModel` is a
 * tarball under it (`model_setup.tar.gz` and one `<tenant>-<model>-v<n>.tar.gz` per LoRA), loaded on first
 * use and kept in the instance's cache until memory pressure unloads it.
 */
export class MmeEndpoint extends Construct {
  readonly endpointName: string;
  readonly endpointArn: string;
  readonly scalableTarget: appscaling.ScalableTarget;

  constructor(scope: Construct, id: string, props: MmeEndpointProps) {
    super(scope, id);
    const { storage, settings } = props;
    this.endpointName = settings.mmeEndpointName;
    this.endpointArn = endpointArn(this, this.endpointName);

    const role = createSageMakerExecutionRole(this, 'ExecutionRole', 'dreamqueue multi-model endpoint');
    // Read-only: the MME only ever downloads artifacts; registering them is the worker's job.
    storage.bucket.grantRead(role, `${settings.mmePrefix}*`);

    const model = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: role.roleArn,
      primaryContainer: {
        image: settings.tritonImage,
        mode: 'MultiModel',
        modelDataUrl: storage.s3Uri(settings.mmePrefix),
        multiModelConfig: { modelCacheSetting: 'Enabled' },
      },
    });
    model.node.addDependency(role);

    const config = new sagemaker.CfnEndpointConfig(this, 'Config', {
      productionVariants: [
        {
          variantName: VARIANT,
          modelName: model.attrModelName,
          instanceType: settings.mmeInstanceType,
          initialInstanceCount: settings.mmeMinInstances,
        },
      ],
    });

    const endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: this.endpointName,
      endpointConfigName: config.attrEndpointConfigName,
    });

    this.scalableTarget = variantScalableTarget(this, endpoint, this.endpointName, {
      min: settings.mmeMinInstances,
      max: settings.mmeMaxInstances,
    });
    // Invocations per instance per minute. A new instance starts with an empty model cache (and must run
    // model_setup first), so scale in slowly: every scale-in throws away warm LoRAs.
    this.scalableTarget.scaleToTrackMetric('InvocationsPerInstance', {
      targetValue: settings.mmeInvocationsPerInstance,
      predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
      scaleOutCooldown: Duration.minutes(3),
      scaleInCooldown: Duration.minutes(20),
    });
  }
}
