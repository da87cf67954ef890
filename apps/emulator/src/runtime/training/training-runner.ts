import { randomBytes } from 'node:crypto';
import { trainingCompleted, trainingFailed } from '@dreamqueue/contracts';
import { type Logger } from '@dreamqueue/logger';
import { type Clock } from '../../clock';
import { type ContainerBackendRef } from '../../containers/container-backend';
import { type FaultInjector } from '../../faults/fault-injector';
import { buildArtifact } from '../../model/artifact';
import { type StatsRecorder } from '../../observe/stats';
import { type TunableSettings } from '../../options';
import { type ObjectStore } from '../../s3/object-store';
import { runContainerTraining } from './container-training';
import { notifyCompletion } from './notifier';
import { readTrainingInput, TrainingInputError } from './training-input';
import { parseS3Uri, type TrainingRequest } from './training-request';

export interface TrainingRunnerDeps {
  store: ObjectStore;
  clock: Clock;
  settings: TunableSettings;
  faults: FaultInjector;
  stats: StatsRecorder;
  logger: Logger;
  bucket: string;
  mmePrefix: string;
  /** The real containers' code, when EMULATOR_BACKEND=containers. */
  containers?: ContainerBackendRef;
}

/**
 * One training, as the container and SageMaker would run it: read and validate the input tar, "train"
 * for `trainingSeconds` (cut short by InvocationTimeoutSeconds), upload the artifact into the MME prefix
 * and write the output JSON, or write the reason to the FailureLocation. Every path ends in exactly one
 * object, except the injected `NoOutput` fault, which models a lost result.
 */
export async function runTraining(
  deps: TrainingRunnerDeps,
  request: TrainingRequest,
  signal: AbortSignal,
): Promise<void> {
  // What the container reports as training_seconds: real time from taking the request to the upload.
  const startedAt = Date.now();
  const fault = deps.faults.decide('training');
  if (fault?.error === 'NoOutput') {
    deps.logger.info({ inferenceId: request.inferenceId }, 'injected NoOutput: training result will never appear');
    return;
  }
  const backend = deps.containers?.backend;
  if (backend)
    return runContainerTraining(deps, backend, request, signal, (reason) => failTraining(deps, request, reason));
  let input;
  try {
    input = await readInput(deps, request.inputLocation);
  } catch (err) {
    if (err instanceof TrainingInputError) return failTraining(deps, request, err.message);
    throw err;
  }
  const trainingMs = deps.settings.trainingSeconds * 1000 + (fault?.latencyMs ?? 0);
  const timeoutMs = request.invocationTimeoutSeconds * 1000;
  if (trainingMs > timeoutMs) {
    if (!(await deps.clock.sleep(timeoutMs, signal))) return;
    return failTraining(
      deps,
      request,
      `Invocation timed out after ${request.invocationTimeoutSeconds} seconds (InvocationTimeoutSeconds); the training needs ${trainingMs / 1000} seconds.`,
    );
  }
  if (!(await deps.clock.sleep(trainingMs, signal))) return;
  if (fault?.error === 'TrainingFailed')
    return failTraining(deps, request, 'Injected fault: the trainer crashed (CUDA error: out of memory)');

  // A fresh name per training, as the container gives it (training_output.py artifact_name).
  const artifactKey = `${deps.mmePrefix}lora-${randomBytes(10).toString('hex')}.tar.gz`;
  const artifact = await buildArtifact({
    palette: input.palette,
    config: input.config,
    inferenceId: request.inferenceId,
    id: artifactKey,
  });
  await deps.store.put(artifactKey, artifact, 'application/gzip');
  const outputLocation = `s3://${deps.bucket}/${artifactKey}`;
  const output = trainingCompleted(outputLocation, (Date.now() - startedAt) / 1000);
  await deps.store.put(request.outputKey, JSON.stringify(output), 'application/json');
  deps.stats.training('completed');
  deps.logger.info({ inferenceId: request.inferenceId, artifactKey }, 'training completed');
  await notify(deps, { request, status: 'Completed', outputLocation: `s3://${deps.bucket}/${request.outputKey}` });
}

/** Writes the container's failure object (`{status, reason}`) to the FailureLocation (and notifies). */
export async function failTraining(deps: TrainingRunnerDeps, request: TrainingRequest, reason: string): Promise<void> {
  await deps.store.put(request.failureKey, JSON.stringify(trainingFailed(reason)), 'application/json');
  deps.stats.training('failed');
  deps.logger.info({ inferenceId: request.inferenceId, reason }, 'training failed');
  await notify(deps, {
    request,
    status: 'Failed',
    failureLocation: `s3://${deps.bucket}/${request.failureKey}`,
    failureReason: reason,
  });
}

async function readInput(deps: TrainingRunnerDeps, inputLocation: string) {
  const location = parseS3Uri(inputLocation);
  if (!location) throw new TrainingInputError(`InputLocation ${inputLocation} is not an s3:// URI`);
  const object = await deps.store.get(location.bucket, location.key);
  if (!object) throw new TrainingInputError(`could not download input ${inputLocation}: the object does not exist`);
  return readTrainingInput(object.data);
}

async function notify(deps: TrainingRunnerDeps, event: Parameters<typeof notifyCompletion>[1]): Promise<void> {
  if (deps.settings.notifyUrl) await notifyCompletion(deps.settings.notifyUrl, event, deps.logger);
}
