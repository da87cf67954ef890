/**
 * Turns what the training container wrote (to the FailureLocation, or an output with a failed status) into
 * a reason a user can read (the container's `{status, reason}`: vector `training-failure.json`), and says whether a resubmission could succeed. Infrastructure trouble (GPU
 * memory, an internal error, the request expiring in the queue, the invocation timing out) is transient;
 * anything about the input is not.
 */
export interface TrainingFailureInfo {
  reason: string;
  transient: boolean;
}

const TRANSIENT = [
  /out of memory/i,
  /cuda/i,
  /internal (emulator |server )?error/i,
  /expired/i,
  /timed out/i,
  /throttl/i,
  /unavailable/i,
];

export function parseTrainingFailure(body: Buffer | string): TrainingFailureInfo {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  let message = text.trim();
  try {
    const json = JSON.parse(text) as {
      reason?: unknown;
      error?: unknown;
      message?: unknown;
      errorMessage?: unknown;
      status?: unknown;
    };
    // `reason` is what the container writes; the others cover failures SageMaker itself writes (a timeout,
    // an expired request), whose exact shape is not verified.
    const detail = [json.reason, json.error, json.message, json.errorMessage].find(
      (v) => typeof v === 'string' && v.length > 0,
    );
    message = typeof detail === 'string' ? detail : typeof json.status === 'string' ? json.status : message;
  } catch {
    // Not JSON: the raw text (e.g. a Python traceback's last line) is the reason.
    message = message.split('\n').filter(Boolean).pop() ?? message;
  }
  message = message.replace(/\p{Cc}+/gu, ' ').slice(0, 500) || 'the training failed without a reason';
  return { reason: `Training failed: ${message}`, transient: TRANSIENT.some((p) => p.test(message)) };
}
