/** Error names SageMaker Runtime answers with, and their HTTP status (InvokeEndpoint's documented errors). */
export const RUNTIME_ERROR_STATUS = {
  ValidationError: 400,
  ThrottlingException: 400,
  ModelError: 424,
  ModelNotReadyException: 429,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  InternalDependencyException: 530,
} as const;
export type RuntimeErrorName = keyof typeof RUNTIME_ERROR_STATUS;

/**
 * An error to answer on the SageMaker Runtime wire. `fields` are the modeled extras the SDK parses
 * (`OriginalStatusCode`, `OriginalMessage`, `LogStreamArn`).
 */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  readonly status: number;

  constructor(
    readonly errorType: RuntimeErrorName,
    message: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = RUNTIME_ERROR_STATUS[errorType];
  }
}

export function validationError(message: string): RuntimeError {
  return new RuntimeError('ValidationError', message);
}

export function throttling(): RuntimeError {
  // Real SageMaker sends a null message here; a string is what the SDK is verified to parse (§4.4).
  return new RuntimeError('ThrottlingException', 'Rate exceeded');
}

export function modelNotReady(endpoint: string, targetModel: string): RuntimeError {
  return new RuntimeError(
    'ModelNotReadyException',
    `Model ${targetModel} is still loading on endpoint ${endpoint}; retry the request.`,
  );
}

/** The container answered `originalStatus`: SageMaker wraps it as a 424 ModelError. */
export function modelError(endpoint: string, originalStatus: number, originalMessage: string): RuntimeError {
  const kind = originalStatus >= 500 ? 'server' : 'client';
  return new RuntimeError(
    'ModelError',
    `Received ${kind} error (${originalStatus}) from primary with message "${originalMessage}". See ${logStreamArn(endpoint)} in account 000000000000 for more information.`,
    { OriginalStatusCode: originalStatus, OriginalMessage: originalMessage, LogStreamArn: logStreamArn(endpoint) },
  );
}

export function logStreamArn(endpoint: string): string {
  return `arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/Endpoints/${endpoint}`;
}

/** The error an injected runtime fault answers with. */
export function injectedError(name: RuntimeErrorName, endpoint: string, originalStatusCode = 500): RuntimeError {
  switch (name) {
    case 'ThrottlingException':
      return throttling();
    case 'ModelError':
      return modelError(endpoint, originalStatusCode, 'Injected fault: the model container failed');
    case 'ModelNotReadyException':
      return new RuntimeError(name, 'Injected fault: model is not ready');
    default:
      return new RuntimeError(name, `Injected fault: ${name}`);
  }
}
