/**
 * The one place that decides what a failed AWS call means for a job. Branch on `err.name`, never on
 * `instanceof`: unmodeled errors (ThrottlingException) arrive as the service's base exception class.
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html#API_runtime_InvokeEndpoint_Errors
 * for the names and statuses.
 */
export type AwsFailureKind =
  /** Back off the whole worker (worker.rateLimit) and re-queue without spending an attempt. */
  | 'throttled'
  /** The MME is still loading the model; retry within the cold-load budget. */
  | 'model_not_ready'
  /** 5xx, network, timeouts: retry with exponential backoff and jitter. */
  | 'transient'
  /** The request or the model input is wrong; retrying cannot help. */
  | 'unrecoverable'
  /** The object or model does not exist (S3 404, missing TargetModel). */
  | 'not_found';

export interface AwsFailure {
  kind: AwsFailureKind;
  /** The AWS error name, e.g. `ModelError`, `ThrottlingException`. */
  name: string;
  status?: number;
  /** For `ModelError`: the status the container itself returned. */
  originalStatus?: number;
  /** A readable reason, safe to show to the resource's owner. */
  reason: string;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'SlowDown',
  'RequestLimitExceeded',
  'Throttling',
]);
const TRANSIENT = new Set([
  'InternalFailure',
  'ServiceUnavailable',
  'InternalDependencyException',
  'InternalError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'SyntaxError',
]);
const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket']);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  OriginalStatusCode?: number;
  OriginalMessage?: string;
}

export function classifyAwsError(thrown: unknown): AwsFailure {
  const err = (thrown ?? {}) as AwsLikeError;
  const name = err.name && err.name !== 'Error' ? err.name : (err.code ?? 'Error');
  const status = err.$metadata?.httpStatusCode;
  const message = err.message ?? String(thrown);

  if (THROTTLING.has(name) || (status === 429 && name !== 'ModelNotReadyException')) {
    return { kind: 'throttled', name, status, reason: 'The endpoint is throttling requests.' };
  }
  if (name === 'ModelNotReadyException') {
    return { kind: 'model_not_ready', name, status, reason: 'The model is still loading on the endpoint.' };
  }
  if (name === 'ModelError') {
    const originalStatus = err.OriginalStatusCode;
    const reason = `The model container answered ${originalStatus ?? 'an error'}: ${err.OriginalMessage ?? message}`;
    const clientSide = originalStatus !== undefined && originalStatus >= 400 && originalStatus < 500;
    return { kind: clientSide ? 'unrecoverable' : 'transient', name, status, originalStatus, reason };
  }
  if (NOT_FOUND.has(name) || (status === 404 && !TRANSIENT.has(name))) {
    return { kind: 'not_found', name, status, reason: message };
  }
  if (TRANSIENT.has(name) || (status !== undefined && status >= 500) || isNetworkError(thrown)) {
    return { kind: 'transient', name, status, reason: `Temporary AWS failure (${name}).` };
  }
  return { kind: 'unrecoverable', name, status, reason: message };
}

function isNetworkError(thrown: unknown): boolean {
  const code = (thrown as { code?: string } | undefined)?.code;
  return typeof code === 'string' && /^E(CONN|PIPE|TIMEDOUT|AI_AGAIN|NOTFOUND|HOSTUNREACH)/.test(code);
}
