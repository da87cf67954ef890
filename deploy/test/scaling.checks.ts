import { Match, type Template } from 'aws-cdk-lib/assertions';

/** Scaling checks, on a stack with default settings. */
export function scalingChecks(synth: () => Template): void {
  let template: Template;
  beforeAll(() => {
    template = synth();
  });
  const policies = () => Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'));

  describe('scaling', () => {
    it('scales the async training endpoint to zero on ApproximateBacklogSizePerInstance', () => {
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        ServiceNamespace: 'sagemaker',
        ResourceId: 'endpoint/dreamqueue-training/variant/AllTraffic',
        MinCapacity: 0,
      });
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          CustomizedMetricSpecification: Match.objectLike({
            MetricName: 'ApproximateBacklogSizePerInstance',
            Namespace: 'AWS/SageMaker',
          }),
        }),
      });
    });

    it('steps out of zero when HasBacklogWithoutCapacity alarms', () => {
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'HasBacklogWithoutCapacity' },
      });
      const [alarm] = Object.values(alarms);
      expect(alarm).toBeDefined();
      const [action] = alarm!.Properties.AlarmActions as Array<{ Ref: string }>;
      const stepPolicy = template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')[action!.Ref]!;
      expect(stepPolicy.Properties.PolicyType).toBe('StepScaling');
      expect(stepPolicy.Properties.StepScalingPolicyConfiguration.StepAdjustments).toEqual([
        { MetricIntervalLowerBound: 0, ScalingAdjustment: 1 },
      ]);
    });

    it('target-tracks MME invocations per instance and keeps at least one instance', () => {
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        ResourceId: 'endpoint/dreamqueue-mme/variant/AllTraffic',
        MinCapacity: 1,
        MaxCapacity: 4,
      });
      const tracking = policies().filter(
        (p) =>
          p.Properties.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType ===
          'SageMakerVariantInvocationsPerInstance',
      );
      expect(tracking).toHaveLength(1);
    });

    it('scales workers on the generate queue depth the worker publishes', () => {
      const alarms = Object.values(
        template.findResources('AWS::CloudWatch::Alarm', {
          Properties: { Namespace: 'Dreamqueue', MetricName: 'WaitingJobs' },
        }),
      );
      expect(alarms).toHaveLength(2); // one to scale out, one to scale in
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        ServiceNamespace: 'ecs',
        MinCapacity: 1,
        MaxCapacity: 10,
      });
    });

    it('sizes both endpoints ml.g5.xlarge by default', () => {
      for (const config of Object.values(template.findResources('AWS::SageMaker::EndpointConfig'))) {
        expect(config.Properties.ProductionVariants[0].InstanceType).toBe('ml.g5.xlarge');
      }
    });

    it('creates no SNS subscription without an HTTPS base URL (workers still poll S3)', () => {
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    });
  });
}
