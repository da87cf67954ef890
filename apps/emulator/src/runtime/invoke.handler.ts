import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type EmulatorContext } from '../context';
import { header, readBody } from '../http/http-util';
import { sdkAttempt } from '../observe/ledger';
import { resolveEndpoint } from './endpoint-name';
import { ClientGoneError } from './mme/mme.service';
import { injectedError, RuntimeError, type RuntimeErrorName, validationError } from './runtime-error';
import { sendRuntimeError } from './wire';

/** SageMaker's real-time payload limit (6 MB for InvokeEndpoint request and response bodies). */
export const MAX_PAYLOAD_BYTES = 6_291_456;

/** `POST /endpoints/{name}/invocations`: validation, faults, capacity, then the MME. */
export async function handleInvoke(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  encodedName: string,
): Promise<void> {
  const arrivedAt = Date.now();
  const targetModel = header(req, 'x-amzn-sagemaker-target-model');
  const { body, tooLarge } = await readBody(req, MAX_PAYLOAD_BYTES);
  let endpoint = encodedName;
  let known = false;
  // A client that hangs up (a warm-up call that only wants the load started) is not served.
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  try {
    const resolved = resolveEndpoint(ctx, encodedName);
    endpoint = resolved.name;
    known = true;
    ctx.stats.invocation(endpoint);
    if (resolved.kind !== 'mme') {
      throw validationError(`Endpoint ${endpoint} is configured for asynchronous inference; use InvokeEndpointAsync.`);
    }
    if (tooLarge) throw validationError(`Request payload exceeds the maximum of ${MAX_PAYLOAD_BYTES} bytes.`);
    if (body.length === 0)
      throw validationError(
        "1 validation error detected: Value at 'body' failed to satisfy constraint: Member must not be null",
      );
    await applyFault(ctx, endpoint, targetModel);
    const output = await ctx.mme.invoke(targetModel, body, gone.signal);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': output.length,
      'x-Amzn-Invoked-Production-Variant': 'AllTraffic',
      'x-amzn-RequestId': randomUUID(),
      ...customAttributesHeader(req),
    });
    res.end(output);
    record(ctx, req, endpoint, targetModel, 'ok', 200, arrivedAt);
  } catch (err) {
    if (err instanceof ClientGoneError) {
      record(ctx, req, endpoint, targetModel, 'client_closed', 499, arrivedAt);
      return;
    }
    if (!(err instanceof RuntimeError)) throw err;
    if (known) ctx.stats.error(endpoint, err.errorType);
    sendRuntimeError(res, err);
    record(ctx, req, endpoint, targetModel, err.errorType, err.status, arrivedAt);
  }
}

async function applyFault(ctx: EmulatorContext, endpoint: string, targetModel: string | undefined): Promise<void> {
  const decision = ctx.faults.decide('invoke', { targetModel });
  if (!decision) return;
  if (decision.latencyMs > 0) await ctx.clock.sleep(decision.latencyMs);
  if (decision.error) throw injectedError(decision.error as RuntimeErrorName, endpoint, decision.originalStatusCode);
}

function customAttributesHeader(req: IncomingMessage): Record<string, string> {
  const value = header(req, 'x-amzn-sagemaker-custom-attributes');
  return value ? { 'X-Amzn-SageMaker-Custom-Attributes': value } : {};
}

function record(
  ctx: EmulatorContext,
  req: IncomingMessage,
  endpoint: string,
  targetModel: string | undefined,
  outcome: string,
  status: number,
  arrivedAt: number,
): void {
  ctx.ledger.record({
    op: 'InvokeEndpoint',
    source: 'client',
    endpoint,
    targetModel,
    inferenceId: header(req, 'x-amzn-sagemaker-inference-id'),
    customAttributes: header(req, 'x-amzn-sagemaker-custom-attributes'),
    ...sdkAttempt(req.headers['amz-sdk-request']),
    outcome,
    status,
    durationMs: Date.now() - arrivedAt,
  });
}
