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
}

export interface TrainingFailedObject {
  status: typeof TRAINING_FAILED;
  reason: string;
}

export function trainingCompleted(outputLocation: string): TrainingCompletedObject {
  return { status: TRAINING_COMPLETED, output_location: outputLocation };
}

export function trainingFailed(reason: string): TrainingFailedObject {
  return { status: TRAINING_FAILED, reason: reason.slice(0, MAX_FAILURE_REASON) };
}
