/**
 * The objects the training container writes at the end of an async invocation
 * (containers/training/training_output.py; vectors `training-output.json`, `training-failure.json`).
 */
export const TRAINING_COMPLETED = 'Training Completed!';
export const TRAINING_FAILED = 'Training Failed!';

/** The container cuts a refusal's reason to this many characters. */
export const MAX_FAILURE_REASON = 1000;

/** Fresh artifact names the container gives each training, directly under the MME prefix. */
export const ARTIFACT_NAME_PATTERN = /^lora-[a-z0-9]{20}\.tar\.gz$/;

export interface TrainingCompletedObject {
  status: typeof TRAINING_COMPLETED;
  output_location: string;
  /** Seconds the handler held the GPU for the invocation (SageMaker reports no start time for async ones). */
  training_seconds: number;
}

export interface TrainingFailedObject {
  status: typeof TRAINING_FAILED;
  reason: string;
}

export function trainingCompleted(outputLocation: string, trainingSeconds: number): TrainingCompletedObject {
  return {
    status: TRAINING_COMPLETED,
    output_location: outputLocation,
    training_seconds: Math.round(trainingSeconds * 1000) / 1000,
  };
}

/** The training time an output object reports, if it carries a usable one (older containers do not). */
export function reportedTrainingSeconds(output: { training_seconds?: unknown }): number | undefined {
  const seconds = output.training_seconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

export function trainingFailed(reason: string): TrainingFailedObject {
  return { status: TRAINING_FAILED, reason: reason.slice(0, MAX_FAILURE_REASON) };
}
