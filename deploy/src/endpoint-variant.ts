import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { type CfnEndpoint } from 'aws-cdk-lib/aws-sagemaker';
import { type Construct } from 'constructs';

/** The single production variant of every dreamqueue endpoint. */
export const VARIANT = 'AllTraffic';

/** Application Auto Scaling's handle on the variant's instance count, created once the endpoint exists. */
export function variantScalableTarget(
  scope: Construct,
  endpoint: CfnEndpoint,
  endpointName: string,
  capacity: { min: number; max: number },
): appscaling.ScalableTarget {
  const target = new appscaling.ScalableTarget(scope, 'Scaling', {
    serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
    resourceId: `endpoint/${endpointName}/variant/${VARIANT}`,
    scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
    minCapacity: capacity.min,
    maxCapacity: capacity.max,
  });
  target.node.addDependency(endpoint);
  return target;
}
