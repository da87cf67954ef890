import { classifyAwsError } from '@dreamqueue/aws';
import { toS3Uri } from '@dreamqueue/storage';
import { TrainingFailure, type StepInput, type StepOutcome, type TrainStepDeps } from '../train-context';
import { type TrainingClaim } from '../training-claim';

/** `train-<modelId>-<n>`: traceable in the endpoint's ledger, no `:` (unsafe in job ids and S3 keys). */
export const inferenceIdFor = (modelId: string, submission: number) => `train-${modelId}-${submission}`;

/** The worker no longer owns the job: another worker does. Stop without side effects. */
export class LostJobLockError extends Error {
  override readonly name = 'LostJobLockError';
}

/**
 * submit: InvokeEndpointAsync, at most once per submission number. The claim is taken (only while this
 * worker holds the job lock) before the call and completed with the call's result after it. A claim that
 * already exists means someone submitted: resume from it, never call again.
 */
export async function submitStep(ports: TrainStepDeps, input: StepInput): Promise<StepOutcome> {
  const { model, checkpoint } = input;
  const submission = checkpoint.submission ?? 1;
  const inferenceId = inferenceIdFor(model.id, submission);
  if (!checkpoint.inputKey) throw new TrainingFailure('The training input was never prepared.');
  const claim: TrainingClaim = { inferenceId, submission, state: 'submitting', since: ports.now() };
  const acquired = await ports.claims.acquire(model.id, claim, input.lock);
  if (acquired.kind === 'lost_lock')
    throw new LostJobLockError(`Lost the lock of train job ${input.jobId} before submitting`);
  if (acquired.kind === 'exists') return resumeFrom(ports, input, acquired.claim);
  return invoke(ports, input, claim, checkpoint.inputKey);
}

async function invoke(
  ports: TrainStepDeps,
  input: StepInput,
  claim: TrainingClaim,
  inputKey: string,
): Promise<StepOutcome> {
  const { settings } = ports;
  let result;
  try {
    result = await ports.asyncInference.invoke({
      endpoint: settings.trainingEndpoint,
      inputLocation: toS3Uri({ bucket: ports.objects.bucket, key: inputKey }),
      inferenceId: claim.inferenceId,
      invocationTimeoutSeconds: settings.invocationTimeoutSeconds,
      requestTtlSeconds: settings.requestTtlSeconds,
      customAttributes: `job=${input.jobId}`,
      contentType: 'application/x-tar',
      signal: input.signal,
    });
  } catch (err) {
    // An answered error means SageMaker refused the request: nothing was queued, the claim can go. A call
    // that got no answer (socket error, timeout) may have been accepted: keep the claim; it goes stale.
    if (answered(err)) await ports.claims.release(input.model.id, claim.inferenceId);
    throw err;
  }
  const submittedAt = ports.now();
  const done: TrainingClaim = {
    ...claim,
    state: 'submitted',
    outputLocation: result.outputLocation,
    failureLocation: result.failureLocation,
    submittedAt,
  };
  await ports.claims.replace(input.model.id, claim.inferenceId, done);
  return { next: 'await', patch: fromClaim(ports, done), progress: 10, log: `submitted ${claim.inferenceId}` };
}

async function resumeFrom(ports: TrainStepDeps, input: StepInput, claim: TrainingClaim): Promise<StepOutcome> {
  if (claim.state === 'submitted') {
    return {
      next: 'await',
      patch: fromClaim(ports, claim),
      progress: 10,
      log: `resumed from the recorded submission ${claim.inferenceId}`,
    };
  }
  if (ports.now() - claim.since < ports.settings.claimStaleMs) {
    // Another worker is in the middle of the call (or froze there): wait for its result, do not submit.
    return {
      waitMs: Math.min(ports.settings.pollIntervalMs, ports.settings.claimStaleMs),
      log: `submission ${claim.inferenceId} in progress elsewhere; waiting`,
    };
  }
  // The worker that took the claim died mid-call. The call may or may not have reached SageMaker (there is
  // no API to ask): submit again under the next number so a duplicate stays traceable.
  const next = claim.submission + 1;
  if (next > ports.settings.maxSubmissions)
    throw new TrainingFailure(
      `The training submission ${claim.inferenceId} was interrupted and the submission limit is reached.`,
    );
  if (!(await ports.claims.release(input.model.id, claim.inferenceId))) return { waitMs: 0 };
  ports.logger.warn(
    { modelId: input.model.id, abandoned: claim.inferenceId },
    'abandoned submission claim; submitting again (possible duplicate)',
  );
  return {
    next: 'submit',
    patch: { submission: next },
    log: `submission ${claim.inferenceId} was abandoned mid-call; resubmitting as #${next}`,
  };
}

function fromClaim(ports: TrainStepDeps, claim: TrainingClaim) {
  const submittedAt = claim.submittedAt ?? claim.since;
  return {
    submission: claim.submission,
    inferenceId: claim.inferenceId,
    outputLocation: claim.outputLocation,
    failureLocation: claim.failureLocation,
    submittedAt,
    deadlineAt: submittedAt + ports.settings.deadlineMs,
    polls: 0,
  };
}

function answered(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status !== undefined && classifyAwsError(err).kind !== 'not_found';
}
