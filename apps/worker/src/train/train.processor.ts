import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { type Redis } from 'ioredis';
import { classifyAwsError } from '@dreamqueue/aws';
import { TrainPayload, type ModelStatus, type TrainResult, type TrainStep } from '@dreamqueue/contracts';
import { coerceError } from '@dreamqueue/errors';
import { type ModelRecord, type ModelStore } from '@dreamqueue/records';
import { jobKeys, updateJobDataIfLocked } from '@dreamqueue/redis';
import { jobLogger } from '../job-logger';
import { type CatalogJob, type CatalogProcessor } from '../processor-registry';
import { awaitStep } from './steps/await.step';
import { prepareStep } from './steps/prepare.step';
import { registerStep } from './steps/register.step';
import { LostJobLockError, submitStep } from './steps/submit.step';
import { warmStep } from './steps/warm.step';
import { TrainingFailure, type StepInput, type StepOutcome, type TrainStepDeps } from './train-context';
import { discardModel, failModel } from './train-outcomes';

export interface TrainProcessorDeps extends TrainStepDeps {
  redis: Redis;
  models: ModelStore;
  /** Pauses the whole train queue (BullMQ `worker.rateLimit`); follow it with `Worker.RateLimitError()`. */
  rateLimit: (ms: number) => Promise<void>;
}

type Step = Exclude<TrainStep, 'done'>;
const STEPS: Record<Step, (ports: TrainStepDeps, input: StepInput) => Promise<StepOutcome>> = {
  prepare: prepareStep,
  submit: submitStep,
  await: awaitStep,
  register: registerStep,
  warm: warmStep,
};
const STATUS_OF: Record<Step, ModelStatus> = {
  prepare: 'preparing',
  submit: 'training',
  await: 'training',
  register: 'registering',
  warm: 'registering',
};
/** Immediate re-runs of a step (waitMs 0) per activation before the job is parked anyway. */
const MAX_INLINE_RUNS = 20;

/**
 * The train job as a resumable step machine. Each pass re-reads the model (a cancel or delete is noticed
 * at the next step), runs one step, checkpoints its result under the job lock, then either continues, or
 * parks the job as delayed (`moveToDelayed` + `DelayedError`: no worker slot is held while waiting).
 */
export function createTrainProcessor(deps: TrainProcessorDeps): CatalogProcessor<'train'> {
  return async (job, token, signal) => {
    const log = jobLogger(deps.logger, job);
    const parsed = TrainPayload.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`Invalid train payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    let data = parsed.data;
    try {
      for (let runs = 0; ; runs++) {
        const model = await deps.models.get(data.tenantId, data.modelId);
        if (!model) throw new TrainingFailure(`Model ${data.modelId} has no record.`);
        // A failed model is resumed (an operator retried its job); a canceled or deleted one is discarded.
        const discarding = model.status === 'canceled' || model.status === 'deleted';
        if (data.step === 'done' || (discarding && data.step !== 'await'))
          return await finish(deps, job, model, data.checkpoint, discarding);
        if (!discarding) await enter(deps, model, STATUS_OF[data.step]);
        const input: StepInput = {
          model,
          checkpoint: data.checkpoint,
          jobId: job.id!,
          lock: token ? { key: jobKeys(job).lockKey, token } : undefined,
          discarding,
          signal,
        };
        const outcome = await STEPS[data.step](deps, input);
        const checkpoint = { ...data.checkpoint, ...outcome.patch };
        if ('discarded' in outcome) return await finish(deps, job, model, checkpoint, true, outcome.log);
        data = { ...data, checkpoint, step: 'next' in outcome ? outcome.next : data.step };
        if (!(await updateJobDataIfLocked(deps.redis, job, token, data)))
          throw new LostJobLockError(`Lost the lock of train job ${job.id}`);
        if (outcome.log) await job.log(`[${parsed.data.step}→${data.step}] ${outcome.log}`);
        if (outcome.progress !== undefined) await progress(deps, job, model, outcome.progress);
        if ('waitMs' in outcome && (outcome.waitMs > 0 || runs >= MAX_INLINE_RUNS)) {
          await job.moveToDelayed(Date.now() + Math.max(outcome.waitMs, 1_000), token);
          throw new DelayedError();
        }
      }
    } catch (err) {
      throw await onError(deps, job, data, err, log);
    }
  };
}

async function enter(deps: TrainProcessorDeps, model: ModelRecord, status: ModelStatus): Promise<void> {
  if (model.status !== status)
    await deps.models.transition(model.tenantId, model.id, status, { failureReason: undefined });
}

async function progress(
  deps: TrainProcessorDeps,
  job: CatalogJob<'train'>,
  model: ModelRecord,
  value: number,
): Promise<void> {
  await job.updateProgress(value);
  await deps.models.setProgress(model.tenantId, model.id, value);
}

/** Ends the job: `ready` (the model is offered), or a quiet completion that discards a late result. */
async function finish(
  deps: TrainProcessorDeps,
  job: Job,
  model: ModelRecord,
  checkpoint: StepInput['checkpoint'],
  discarding: boolean,
  note?: string,
): Promise<TrainResult> {
  if (!discarding) {
    const { changed, record } = await deps.models.transition(model.tenantId, model.id, 'ready', {
      targetModel: checkpoint.targetModel,
      ...(checkpoint.targetEtag && { artifactEtag: checkpoint.targetEtag }),
      progress: 100,
    });
    if (changed) {
      await job.log(`model ready as ${checkpoint.targetModel}`);
      return { modelId: model.id, targetModel: checkpoint.targetModel ?? '', outcome: 'ready' };
    }
    if (record?.status === 'ready')
      return { modelId: model.id, targetModel: record.targetModel ?? '', outcome: 'ready' };
  }
  await discardModel(deps, model, checkpoint);
  await job.log(note ?? `model is ${model.status}: result discarded`);
  return { modelId: model.id, targetModel: '', outcome: 'discarded' };
}

/** Maps a step's error to what BullMQ should do, and makes a final failure durable on the model record. */
async function onError(
  deps: TrainProcessorDeps,
  job: CatalogJob<'train'>,
  data: TrainPayload,
  err: unknown,
  log: TrainStepDeps['logger'],
): Promise<Error> {
  if (err instanceof DelayedError || err instanceof LostJobLockError) return err;
  if (!(err instanceof TrainingFailure) && !(err instanceof UnrecoverableError)) {
    const failure = classifyAwsError(err);
    if (failure.kind === 'throttled') {
      await deps.rateLimit(deps.settings.throttleBackoffMs);
      return Worker.RateLimitError();
    }
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const retryable = failure.kind === 'transient' || failure.kind === 'model_not_ready' || !hasAwsShape(err);
    if (retryable && !lastAttempt) {
      await job.log(`[${data.step}] retrying after: ${coerceError(err).message}`);
      return coerceError(err);
    }
  }
  const reason =
    err instanceof TrainingFailure
      ? err.message
      : `Training failed at step ${data.step}: ${classifyAwsError(err).reason}`;
  log.warn({ err, step: data.step }, 'training failed');
  await failModel(deps, data, reason);
  await job.log(`failed: ${reason}`);
  return new UnrecoverableError(reason);
}

const hasAwsShape = (err: unknown) => typeof (err as { $metadata?: unknown })?.$metadata === 'object';
