import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type EmulatorContext } from '../context';
import { header, readBody, sendJson } from '../http/http-util';

const JSON_11 = { 'Content-Type': 'application/x-amz-json-1.1' };

/**
 * `POST /` with `x-amz-target: SageMaker.<Operation>` (awsJson1_1), enough for DescribeEndpoint, its
 * waiter, and ListEndpoints. Timestamps are epoch seconds as numbers: ISO strings break the SDK (§5.2).
 */
export async function handleControlPlane(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const target = header(req, 'x-amz-target') ?? '';
  const { body } = await readBody(req, 1024 * 1024);
  let input: Record<string, unknown>;
  try {
    input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    return sendError(res, 'SerializationException', 'Request body is not valid JSON.');
  }
  if (target === 'SageMaker.DescribeEndpoint') {
    const name = typeof input.EndpointName === 'string' ? input.EndpointName : '';
    const description = describeEndpoint(ctx, name);
    if (!description) return sendError(res, 'ValidationException', `Could not find endpoint "${name}".`);
    return sendJson(res, 200, description, JSON_11);
  }
  if (target === 'SageMaker.ListEndpoints') {
    const contains = typeof input.NameContains === 'string' ? input.NameContains : '';
    const endpoints = endpointNames(ctx)
      .filter((n) => n.includes(contains))
      .map((n) => describeEndpoint(ctx, n)!)
      .map(({ EndpointName, EndpointArn, CreationTime, LastModifiedTime, EndpointStatus }) => ({
        EndpointName,
        EndpointArn,
        CreationTime,
        LastModifiedTime,
        EndpointStatus,
      }));
    return sendJson(res, 200, { Endpoints: endpoints }, JSON_11);
  }
  return sendError(res, 'UnknownOperationException', `The emulator does not implement ${target || 'this operation'}.`);
}

const STARTED_AT = Math.floor(Date.now() / 1000);

function endpointNames(ctx: EmulatorContext): string[] {
  return [ctx.options.trainingEndpoint, ctx.options.mmeEndpoint];
}

function describeEndpoint(ctx: EmulatorContext, name: string) {
  const isTraining = name === ctx.options.trainingEndpoint;
  if (!isTraining && name !== ctx.options.mmeEndpoint) return undefined;
  const bucket = ctx.options.bucket;
  const image = isTraining ? 'dreamqueue/training:emulated' : 'dreamqueue/triton-mme:emulated';
  return {
    EndpointName: name,
    EndpointArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${name}`,
    EndpointConfigName: `${name}-config`,
    EndpointStatus: 'InService',
    CreationTime: STARTED_AT,
    LastModifiedTime: STARTED_AT,
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        DeployedImages: [{ SpecifiedImage: image, ResolvedImage: image, ResolutionTime: STARTED_AT }],
        CurrentWeight: 1,
        DesiredWeight: 1,
        CurrentInstanceCount: isTraining ? ctx.settings.trainingConcurrency : ctx.options.mmeInstances,
        DesiredInstanceCount: isTraining ? ctx.settings.trainingConcurrency : ctx.options.mmeInstances,
      },
    ],
    ...(isTraining && {
      AsyncInferenceConfig: {
        OutputConfig: {
          S3OutputPath: `s3://${bucket}/${ctx.options.asyncOutputPrefix}`,
          S3FailurePath: `s3://${bucket}/${ctx.options.asyncFailurePrefix}`,
        },
      },
    }),
  };
}

function sendError(res: ServerResponse, type: string, message: string): void {
  sendJson(res, 400, { __type: type, message }, JSON_11);
}
