import { classifyAwsError } from '@dreamqueue/aws';
import { reportedTrainingSeconds, TRAINING_COMPLETED } from '@dreamqueue/contracts';
import { parseS3Uri } from '@dreamqueue/storage';
import { recordTrainingUsage } from '../../usage/train-usage';
import { parseTrainingFailure } from '../failure-reason';
import { TrainingFailure, type StepInput, type StepOutcome, type TrainStepDeps } from '../train-context';

/**
 * await: one short check of the output and failure locations (two HEADs). Nothing yet → wait and check
 * again later with a growing interval; the job is delayed meanwhile and holds no worker slot. Past the
 * deadline → "training timed out". Transient S3 trouble is just another "not yet".
 */
export async function awaitStep(ports: TrainStepDeps, input: StepInput): Promise<StepOutcome> {
  const { checkpoint } = input;
  if (!checkpoint.outputLocation || !checkpoint.inferenceId)
    throw new TrainingFailure('No submitted training to wait for.');
  const polls = checkpoint.polls ?? 0;
  try {
    const output = keyIn(ports, checkpoint.outputLocation);
    const failure = checkpoint.failureLocation ? keyIn(ports, checkpoint.failureLocation) : undefined;
    const [out, failed] = await Promise.all([
      ports.objects.head(output, input.signal),
      failure ? ports.objects.head(failure, input.signal) : undefined,
    ]);
    if (out) return await completed(ports, input, output);
    if (failed && failure) {
      await recordTrainingUsage(ports.usage, input.model, checkpoint, ports.now());
      return await trainingFailed(ports, input, await ports.objects.get(failure, input.signal));
    }
  } catch (err) {
    if (err instanceof TrainingFailure || classifyAwsError(err).kind !== 'transient') throw err;
    ports.logger.warn(
      { err, modelId: input.model.id },
      'transient error while checking the training output; checking again later',
    );
  }
  if (ports.now() > (checkpoint.deadlineAt ?? Infinity)) {
    if (input.discarding) return { discarded: true, log: 'discarded: the canceled training never finished' };
    const minutes = Math.round(ports.settings.deadlineMs / 60_000);
    throw new TrainingFailure(
      `Training timed out: no result ${minutes} minutes after submission (${checkpoint.inferenceId}).`,
    );
  }
  return {
    waitMs: pollDelay(ports, polls, checkpoint.deadlineAt),
    patch: { polls: polls + 1 },
    progress: trainingProgress(ports, checkpoint.submittedAt),
  };
}

async function completed(ports: TrainStepDeps, input: StepInput, outputKey: string): Promise<StepOutcome> {
  const body = await ports.objects.get(outputKey, input.signal);
  let parsed: { status?: unknown; output_location?: unknown; training_seconds?: unknown };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    await recordTrainingUsage(ports.usage, input.model, input.checkpoint, ports.now());
    throw new TrainingFailure('Training failed: the endpoint wrote an output that is not JSON.');
  }
  await recordTrainingUsage(ports.usage, input.model, input.checkpoint, ports.now(), reportedTrainingSeconds(parsed));
  if (parsed.status !== TRAINING_COMPLETED || typeof parsed.output_location !== 'string') {
    return trainingFailed(ports, input, body);
  }
  const artifact = keyIn(ports, parsed.output_location);
  if (!artifact.startsWith(ports.settings.mmePrefix) || artifact.slice(ports.settings.mmePrefix.length).includes('/')) {
    throw new TrainingFailure(`Training output names an artifact outside the model prefix: ${parsed.output_location}`);
  }
  if (input.discarding) {
    await ports.objects.delete(artifact);
    return { discarded: true, log: `discarded the late result of a canceled training (${artifact} removed)` };
  }
  return {
    next: 'register',
    patch: { trainedArtifact: artifact },
    progress: 80,
    log: `training completed: ${artifact}`,
  };
}

async function trainingFailed(ports: TrainStepDeps, input: StepInput, body: Buffer): Promise<StepOutcome> {
  const info = parseTrainingFailure(body);
  if (input.discarding) return { discarded: true, log: `canceled training ended in failure: ${info.reason}` };
  const submission = input.checkpoint.submission ?? 1;
  if (!info.transient || submission >= ports.settings.maxSubmissions) throw new TrainingFailure(info.reason);
  // Infrastructure, not input: train again under the next submission number (the claim rotates first).
  if (!(await ports.claims.release(input.model.id, input.checkpoint.inferenceId!)))
    throw new Error('The submission claim changed under this job; retrying');
  return {
    next: 'submit',
    patch: {
      submission: submission + 1,
      inferenceId: undefined,
      outputLocation: undefined,
      failureLocation: undefined,
      polls: 0,
    },
    log: `${info.reason} (transient: resubmitting as #${submission + 1})`,
  };
}

/** `s3://<our bucket>/<key>` → key; anything else is a configuration error, not something to retry. */
function keyIn(ports: TrainStepDeps, uri: string): string {
  const location = parseS3Uri(uri);
  if (location.bucket !== ports.objects.bucket)
    throw new TrainingFailure(`The endpoint writes to bucket ${location.bucket}, not ${ports.objects.bucket}.`);
  return location.key;
}

/** 1.5× per check, capped, and never past the deadline (so expiry is noticed on time). */
export function pollDelay(ports: Pick<TrainStepDeps, 'settings' | 'now'>, polls: number, deadlineAt?: number): number {
  const { pollIntervalMs, pollMaxIntervalMs } = ports.settings;
  const delay = Math.min(pollMaxIntervalMs, Math.round(pollIntervalMs * 1.5 ** Math.min(polls, 30)));
  if (deadlineAt === undefined) return delay;
  return Math.max(0, Math.min(delay, deadlineAt - ports.now() + 1));
}

/** 10 → 75 % over the invocation timeout: a rough clock, since SageMaker reports no progress. */
function trainingProgress(ports: TrainStepDeps, submittedAt?: number): number {
  if (!submittedAt) return 10;
  const fraction = (ports.now() - submittedAt) / (ports.settings.invocationTimeoutSeconds * 1000);
  return Math.round(10 + 65 * Math.min(1, Math.max(0, fraction)));
}
