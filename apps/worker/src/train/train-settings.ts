import { type WorkerConfig } from '../config';
import { type TrainSettings } from './train-context';

/** The train steps' settings from the worker config. */
export function trainSettingsFrom(config: Readonly<WorkerConfig>): TrainSettings {
  const queueMarginSeconds = Math.round(config.TRAIN_QUEUE_MARGIN / 1000);
  return {
    trainingEndpoint: config.TRAINING_ENDPOINT,
    mmeEndpoint: config.MME_ENDPOINT,
    mmePrefix: config.MME_PREFIX,
    invocationTimeoutSeconds: config.TRAIN_INVOCATION_TIMEOUT_SECONDS,
    // SageMaker drops a request that waited this long, so it can never start after we stopped waiting.
    requestTtlSeconds: Math.min(21_600, Math.max(60, queueMarginSeconds)),
    deadlineMs:
      config.TRAIN_DEADLINE > 0
        ? config.TRAIN_DEADLINE
        : config.TRAIN_INVOCATION_TIMEOUT_SECONDS * 1000 + config.TRAIN_QUEUE_MARGIN,
    pollIntervalMs: config.TRAIN_POLL_INTERVAL,
    pollMaxIntervalMs: Math.max(config.TRAIN_POLL_INTERVAL, config.TRAIN_POLL_MAX_INTERVAL),
    claimStaleMs: config.TRAIN_CLAIM_STALE,
    maxSubmissions: config.TRAIN_MAX_SUBMISSIONS,
    warmWindowMs: config.TRAIN_WARM_WINDOW,
    warmRetryMs: config.TRAIN_WARM_RETRY_INTERVAL,
    warmMaxErrors: config.TRAIN_WARM_MAX_ERRORS,
    throttleBackoffMs: config.TRAIN_THROTTLE_BACKOFF,
  };
}
