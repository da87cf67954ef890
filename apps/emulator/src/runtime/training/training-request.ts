/** An accepted InvokeEndpointAsync on the training endpoint, as queued (and persisted) by the emulator. */
export interface TrainingRequest {
  inferenceId: string;
  endpoint: string;
  inputLocation: string;
  outputKey: string;
  failureKey: string;
  /** Emulated seconds the training may run before SageMaker gives up on it. */
  invocationTimeoutSeconds: number;
  /** Emulated seconds the request may wait in the queue. */
  requestTtlSeconds: number;
  /** Real epoch ms when the request was accepted. */
  receivedAt: number;
  customAttributes?: string;
}

export const DEFAULT_INVOCATION_TIMEOUT_SECONDS = 900;
export const MAX_INVOCATION_TIMEOUT_SECONDS = 3600;
export const DEFAULT_REQUEST_TTL_SECONDS = 21_600;
export const MIN_REQUEST_TTL_SECONDS = 60;

/**
 * Makes an inference id safe as part of an S3 key and reversible: letters, digits, `.` and `-` stay,
 * every other byte becomes `_xx` (so `train:42` and `train_42` never collide).
 */
export function keySafeId(id: string): string {
  return Array.from(Buffer.from(id, 'utf8'))
    .map((byte) => {
      const ch = String.fromCharCode(byte);
      return /[A-Za-z0-9.-]/.test(ch) ? ch : `_${byte.toString(16).padStart(2, '0')}`;
    })
    .join('');
}

/** Splits `s3://bucket/key`; undefined when the URI is not of that form. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}
