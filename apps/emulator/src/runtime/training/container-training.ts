import { TRAINING_COMPLETED, trainingFailed } from '@dreamqueue/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Logger } from '@dreamqueue/logger';
import { type Clock } from '../../clock';
import { type ContainerBackend } from '../../containers/container-backend';
import { type StatsRecorder } from '../../observe/stats';
import { type TunableSettings } from '../../options';
import { type ObjectStore } from '../../s3/object-store';
import { notifyCompletion } from './notifier';
import { parseS3Uri, type TrainingRequest } from './training-request';

export interface ContainerTrainingDeps {
  store: ObjectStore;
  clock: Clock;
  settings: TunableSettings;
  stats: StatsRecorder;
  logger: Logger;
  bucket: string;
}

/**
 * One training run by the real DJL handler (EMULATOR_BACKEND=containers). The emulator keeps SageMaker's
 * part: it downloads the InputLocation, enforces InvocationTimeoutSeconds, and writes the handler's answer
 * to the OutputLocation (200) or the FailureLocation (anything else), as SageMaker async inference does.
 * The handler itself validates the input, trains the tiny pipeline and uploads the artifact.
 */
export async function runContainerTraining(
  deps: ContainerTrainingDeps,
  backend: ContainerBackend,
  request: TrainingRequest,
  signal: AbortSignal,
  fail: (reason: string) => Promise<void>,
): Promise<void> {
  const location = parseS3Uri(request.inputLocation);
  const object = location && (await deps.store.get(location.bucket, location.key));
  if (!object) return fail(`could not download input ${request.inputLocation}: the object does not exist`);
  // Real compute takes real time: the invocation timeout is real seconds here, not scaled like the rest.
  const timeout = realSleep(request.invocationTimeoutSeconds * 1000, signal).then(() => ({ slept: true }));
  const answer = await Promise.race([
    backend.train(object.data).then(
      (a) => ({ a }),
      (e: Error) => ({ e }),
    ),
    timeout,
  ]);
  if (signal.aborted) return;
  if ('slept' in answer) {
    return fail(`Invocation timed out after ${request.invocationTimeoutSeconds} seconds (InvocationTimeoutSeconds).`);
  }
  if ('e' in answer) return fail(answer.e.message);
  const { code, body, message } = answer.a;
  const completed = code === 200 && (body as { status?: unknown } | null)?.status === TRAINING_COMPLETED;
  const key = completed ? request.outputKey : request.failureKey;
  await deps.store.put(
    key,
    JSON.stringify(body ?? trainingFailed(message || `the handler answered ${code}`)),
    'application/json',
  );
  deps.stats.training(completed ? 'completed' : 'failed');
  deps.logger.info({ inferenceId: request.inferenceId, code }, completed ? 'training completed' : 'training failed');
  if (deps.settings.notifyUrl) {
    const uri = `s3://${deps.bucket}/${key}`;
    await notifyCompletion(
      deps.settings.notifyUrl,
      completed
        ? { request, status: 'Completed', outputLocation: uri }
        : {
            request,
            status: 'Failed',
            failureLocation: uri,
            failureReason: (body as { reason?: string })?.reason ?? message,
          },
      deps.logger,
    );
  }
}

/** Resolves after `ms`, or (never rejecting) when the signal aborts; the timer never holds the process. */
function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal, ref: false }).catch(() => undefined);
}
