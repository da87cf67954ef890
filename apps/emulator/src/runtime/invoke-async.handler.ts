import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type EmulatorContext } from '../context';
import { header, sendJson } from '../http/http-util';
import { sdkAttempt } from '../observe/ledger';
import { resolveEndpoint } from './endpoint-name';
import { injectedError, RuntimeError, type RuntimeErrorName, validationError } from './runtime-error';
import {
  DEFAULT_INVOCATION_TIMEOUT_SECONDS,
  DEFAULT_REQUEST_TTL_SECONDS,
  keySafeId,
  MAX_INVOCATION_TIMEOUT_SECONDS,
  MIN_REQUEST_TTL_SECONDS,
  parseS3Uri,
  type TrainingRequest,
} from './training/training-request';
import { sendRuntimeError } from './wire';

/** `POST /endpoints/{name}/async-invocations`: accept (202) and queue a training. */
export async function handleInvokeAsync(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  encodedName: string,
): Promise<void> {
  for await (const _chunk of req as AsyncIterable<Buffer>) void _chunk; // no body is expected; drain any
  let endpoint = encodedName;
  let known = false;
  try {
    const resolved = resolveEndpoint(ctx, encodedName);
    endpoint = resolved.name;
    known = true;
    ctx.stats.invocation(endpoint);
    if (resolved.kind !== 'training')
      throw validationError(`Endpoint ${endpoint} is not configured for asynchronous inference.`);
    const request = buildRequest(ctx, req, endpoint);
    const decision = ctx.faults.decide('invokeAsync');
    if (decision?.latencyMs) await ctx.clock.sleep(decision.latencyMs);
    if (decision?.error) throw injectedError(decision.error as RuntimeErrorName, endpoint, decision.originalStatusCode);
    ctx.persistTraining(request);
    ctx.trainings.submit(request);
    ctx.stats.asyncInvocation();
    const bucket = ctx.options.bucket;
    sendJson(
      res,
      202,
      { InferenceId: request.inferenceId },
      {
        'X-Amzn-SageMaker-OutputLocation': `s3://${bucket}/${request.outputKey}`,
        'X-Amzn-SageMaker-FailureLocation': `s3://${bucket}/${request.failureKey}`,
      },
    );
    record(ctx, req, endpoint, request.inferenceId, 'ok', 202);
  } catch (err) {
    if (!(err instanceof RuntimeError)) throw err;
    if (known) ctx.stats.error(endpoint, err.errorType);
    sendRuntimeError(res, err);
    record(ctx, req, endpoint, header(req, 'x-amzn-sagemaker-inference-id'), err.errorType, err.status);
  }
}

function buildRequest(ctx: EmulatorContext, req: IncomingMessage, endpoint: string): TrainingRequest {
  const inputLocation = header(req, 'x-amzn-sagemaker-inputlocation');
  if (!inputLocation) throw validationError('InputLocation is required.');
  if (!parseS3Uri(inputLocation)) throw validationError(`InputLocation ${inputLocation} is not a valid S3 URI.`);
  const inferenceId = header(req, 'x-amzn-sagemaker-inference-id') ?? randomUUID();
  if (inferenceId.length > 64 || !/^[\x21-\x7e][\x20-\x7e]*$/.test(inferenceId)) {
    throw validationError('InferenceId must be 1-64 printable ASCII characters.');
  }
  const timeout = seconds(
    header(req, 'x-amzn-sagemaker-invocationtimeoutseconds'),
    'InvocationTimeoutSeconds',
    1,
    MAX_INVOCATION_TIMEOUT_SECONDS,
  );
  const ttl = seconds(
    header(req, 'x-amzn-sagemaker-requestttlseconds'),
    'RequestTTLSeconds',
    MIN_REQUEST_TTL_SECONDS,
    DEFAULT_REQUEST_TTL_SECONDS,
  );
  const extension = outputExtension(header(req, 'x-amzn-sagemaker-s3outputpathextension'));
  const filename = header(req, 'x-amzn-sagemaker-filename');
  if (filename !== undefined && !/^[A-Za-z0-9._-]{1,255}$/.test(filename))
    throw validationError(`Invalid Filename "${filename}".`);
  const safeId = keySafeId(inferenceId);
  return {
    inferenceId,
    endpoint,
    inputLocation,
    outputKey: `${ctx.options.asyncOutputPrefix}${extension}${filename ?? `${safeId}.out`}`,
    failureKey: `${ctx.options.asyncFailurePrefix}${extension}${safeId}-error.out`,
    invocationTimeoutSeconds: timeout ?? DEFAULT_INVOCATION_TIMEOUT_SECONDS,
    requestTtlSeconds: ttl ?? DEFAULT_REQUEST_TTL_SECONDS,
    receivedAt: Date.now(),
    customAttributes: header(req, 'x-amzn-sagemaker-custom-attributes'),
  };
}

function seconds(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must be between ${min} and ${max}`,
    );
  }
  return n;
}

function outputExtension(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  const trimmed = value.replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9._\-/]+$/.test(trimmed) || trimmed.split('/').some((s) => s === '..' || s === '.' || s === '')) {
    throw validationError(`Invalid S3OutputPathExtension "${value}".`);
  }
  return `${trimmed}/`;
}

function record(
  ctx: EmulatorContext,
  req: IncomingMessage,
  endpoint: string,
  inferenceId: string | undefined,
  outcome: string,
  status: number,
): void {
  ctx.ledger.record({
    op: 'InvokeEndpointAsync',
    source: 'client',
    endpoint,
    inferenceId,
    customAttributes: header(req, 'x-amzn-sagemaker-custom-attributes'),
    ...sdkAttempt(req.headers['amz-sdk-request']),
    outcome,
    status,
  });
}
