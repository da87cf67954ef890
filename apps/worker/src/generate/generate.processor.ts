import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import { decodeGenerationResponse, type AwsFailure } from '@dreamqueue/aws';
import { GeneratePayload, MAX_BATCH_SIZE, PRIORITY, type GenerateResult } from '@dreamqueue/contracts';
import { coerceError } from '@dreamqueue/errors';
import { updateJobDataIfLocked } from '@dreamqueue/redis';
import { jobLogger } from '../job-logger';
import { type CatalogJob } from '../processor-registry';
import { type GenerateDeps, type GenerateTarget } from './generate-context';
import { deliverImages, recordBatchItems, recordFailure } from './generate-outcome';
import { loadTarget } from './generate-context';
import { classifyInvocationError, invokeModel } from './invoke-model';
import { recordGenerateUsage } from '../usage/generate-usage';

type GenerateJob = CatalogJob<'generate'>;

/**
 * One job = one MME invocation of up to 8 rows. Throttling re-queues the job without spending an attempt
 * (worker.rateLimit + RateLimitError) and shrinks the AIMD gate; a cold model delays the job (without
 * spending an attempt) within the cold-load budget; 5xx/network errors retry with backoff; a 4xx from the
 * model fails at once. The final outcome is written to the resource's own record by this processor.
 */
export function createGenerateProcessor(deps: GenerateDeps) {
  return async (job: GenerateJob, token?: string, signal?: AbortSignal): Promise<GenerateResult> => {
    const parsed = GeneratePayload.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`Invalid generate payload: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    const p = parsed.data;
    const target = await loadTarget(deps, p);
    if (!target) throw new UnrecoverableError('The generation or batch of this job no longer exists');

    const skipped = await skipIfFinished(deps, target, p);
    if (skipped) {
      await deps.demand.done(target.targetModel);
      if (deps.dispatch) await deps.dispatch.state.finish(job.id!, target.targetModel, 'forget');
      return skipped;
    }
    // Dispatch and affinity order batch work only: an interactive request never waits behind a batch.
    const dispatched = Boolean(deps.dispatch && target.kind === 'batch');
    if (dispatched) await waitForDispatch(deps, job, token, target, signal);
    else if (target.kind === 'batch' && (await deps.affinity.shouldDefer(target.targetModel, p.deferrals ?? 0))) {
      await saveJobData(deps, job, token, { ...job.data, deferrals: (p.deferrals ?? 0) + 1 });
      await job.moveToDelayed(Date.now() + deps.affinity.options.deferMs, token);
      throw new DelayedError();
    }
    if (target.kind === 'generation' && target.record.status === 'queued') {
      await deps.generations.transition(target.tenantId, target.record.id, 'running');
    }

    const rows = p.items.map((i) => ({
      prompt: i.prompt,
      negativePrompt: i.negativePrompt,
      seed: i.seed,
      steps: p.steps,
      guidance: p.guidance,
    }));
    const startedAt = await deps.limiter.acquire(target.kind === 'generation');
    const interactive = target.kind === 'generation' ? deps.dispatch?.dispatcher : undefined;
    await interactive?.interactiveStarted(job.id!, target.targetModel);
    let body: Buffer;
    try {
      body = await invokeModel(deps.mme, {
        endpoint: deps.endpoint,
        targetModel: target.targetModel,
        rows,
        inferenceId: job.id ?? 'job',
        signal,
      });
      void interactive?.interactiveEnded(job.id!);
    } catch (err) {
      void interactive?.interactiveEnded(job.id!);
      const failure = classifyInvocationError(err);
      deps.limiter.release(startedAt, failure.kind === 'throttled' ? 'throttled' : 'neutral');
      // Only the container's own error ran on the GPU; refusals, loading and lost calls cost nothing.
      if (failure.name === 'ModelError')
        await recordGenerateUsage(deps.usage, job, p, { ms: Date.now() - startedAt, images: 0 });
      const now = Date.now();
      // A job that fails for good leaves the dispatcher with it; one that runs again steps back to released.
      if (dispatched) await endDispatch(deps, job, target, retriesLater(job, p, failure, deps, now) ? 'retry' : 'done');
      return handleFailure(deps, job, token, target, p, err, failure, now);
    }
    deps.limiter.release(startedAt, 'success');
    const invocationMs = Date.now() - startedAt;
    // The slot is handed over first: recording usage is a round trip the next invocation need not wait for.
    if (deps.dispatch) {
      const cold = deps.dispatch.dispatcher.timings.observe(invocationMs, rows.length === MAX_BATCH_SIZE);
      if (dispatched) await endDispatch(deps, job, target, 'done', cold);
    }
    await recordGenerateUsage(deps.usage, job, p, { ms: invocationMs, images: rows.length });
    await deps.warm.mark(target.targetModel);

    let images: Buffer[];
    try {
      images = decodeGenerationResponse(body, rows.length);
    } catch (err) {
      return handleFailure(deps, job, token, target, p, err, {
        kind: 'transient',
        name: 'BadResponse',
        reason: coerceError(err).message,
      });
    }
    const delivered = await deliverImages(deps, target, p, images);
    await deps.demand.done(target.targetModel);
    return { images: delivered, failed: 0, ...(delivered === 0 && { skipped: 'canceled' as const }) };
  };
}

/**
 * Model-aware dispatch: a batch job the dispatcher has not released yet joins its (tenant, model) backlog
 * and is parked (a delayed job in BullMQ, so a killed worker loses nothing); the release step promotes it
 * when its turn comes. A released job waits here until its model has a free instance slot.
 */
async function waitForDispatch(
  deps: GenerateDeps,
  job: GenerateJob,
  token: string | undefined,
  target: GenerateTarget,
  signal?: AbortSignal,
): Promise<void> {
  const { dispatcher, state, parkMs } = deps.dispatch!;
  const answer = await state.admit(job.id!, target.tenantId, target.targetModel);
  if (answer === 'queued') {
    // Parked jobs come back ahead of batch work never parked yet, behind interactive requests.
    await job.changePriority({ priority: PRIORITY.dispatched });
    // The park delay only matters if the dispatcher's state were lost: the job then comes back by itself.
    await job.moveToDelayed(Date.now() + parkMs, token);
    // Released between admit and park: the release step could not promote a job that was still active.
    if (await state.isReleased(job.id!)) await job.promote().catch(() => undefined);
    dispatcher.pump();
    throw new DelayedError();
  }
  await dispatcher.waitForModelSlot(job.id!, target.targetModel, signal);
}

/** The invocation ended: its model slot goes straight to a waiting job of this process, then Redis records both. */
async function endDispatch(
  deps: GenerateDeps,
  job: GenerateJob,
  target: GenerateTarget,
  outcome: 'done' | 'retry',
  cold?: boolean,
): Promise<void> {
  const { dispatcher, state } = deps.dispatch!;
  const successor = dispatcher.handOff(target.targetModel);
  await state.finish(job.id!, target.targetModel, outcome, { cold, successor });
  dispatcher.invocationEnded();
}

/** Whether this failure runs the job again later (throttled, still loading within the budget, or a retry left). */
function retriesLater(
  job: GenerateJob,
  p: GeneratePayload,
  failure: AwsFailure,
  deps: GenerateDeps,
  now: number,
): boolean {
  if (failure.kind === 'throttled') return true;
  if (failure.kind === 'model_not_ready') return !coldLoadBudgetSpent(deps, p, now);
  return failure.kind === 'transient' && job.attemptsMade + 1 < (job.opts.attempts ?? 1);
}

/** ModelNotReady has been answered for longer than the cold-load budget since the first one. */
function coldLoadBudgetSpent(deps: GenerateDeps, p: GeneratePayload, now: number): boolean {
  return now - (p.coldSince ?? now) > deps.settings.coldLoadBudgetMs;
}

/** Canceled, expired or already finished resources need no invocation. */
async function skipIfFinished(
  deps: GenerateDeps,
  target: GenerateTarget,
  p: GeneratePayload,
): Promise<GenerateResult | undefined> {
  if (target.kind === 'batch') {
    if (target.record.status !== 'canceled') return undefined;
    await recordBatchItems(
      deps,
      target,
      p.items.map((i) => ({ index: i.index, state: 'canceled', seed: i.seed })),
    );
    return { images: 0, failed: 0, skipped: 'canceled' };
  }
  const { status, deadlineAt, id } = target.record;
  if (status === 'canceled' || status === 'expired') return { images: 0, failed: 0, skipped: status };
  if (status !== 'queued' && status !== 'running') return { images: 0, failed: 0, skipped: 'finished' };
  if (deadlineAt !== undefined && Date.now() > deadlineAt) {
    await deps.generations.transition(target.tenantId, id, 'expired', {
      error: { code: 'deadline_exceeded', message: 'The deadline passed before the images were generated.' },
    });
    return { images: 0, failed: 0, skipped: 'expired' };
  }
  return undefined;
}

async function handleFailure(
  deps: GenerateDeps,
  job: GenerateJob,
  token: string | undefined,
  target: GenerateTarget,
  p: GeneratePayload,
  err: unknown,
  failure: AwsFailure,
  now = Date.now(),
): Promise<never> {
  const log = jobLogger(deps.logger, job);
  if (failure.kind === 'throttled') {
    await deps.rateLimit(deps.settings.throttleBackoffMs);
    throw Worker.RateLimitError();
  }
  if (failure.kind === 'model_not_ready') {
    if (!coldLoadBudgetSpent(deps, p, now)) {
      await saveJobData(deps, job, token, { ...job.data, coldSince: p.coldSince ?? now });
      await job.moveToDelayed(now + deps.settings.coldRetryDelayMs, token);
      throw new DelayedError();
    }
    const seconds = Math.round(deps.settings.coldLoadBudgetMs / 1000);
    return failFinally(deps, target, p, {
      code: 'model_load_timeout',
      message: `The model did not finish loading on the endpoint within ${seconds} s.`,
    });
  }
  if (failure.kind === 'transient') {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    log.warn({ err, failure: failure.name, lastAttempt }, 'generate invocation failed');
    if (lastAttempt) await recordFinal(deps, target, p, { code: 'endpoint_unavailable', message: failure.reason });
    throw coerceError(err);
  }
  return failFinally(deps, target, p, {
    code: failure.kind === 'not_found' ? 'model_unavailable' : 'model_error',
    message: failure.reason,
  });
}

async function failFinally(
  deps: GenerateDeps,
  target: GenerateTarget,
  p: GeneratePayload,
  reason: { code: string; message: string },
): Promise<never> {
  await recordFinal(deps, target, p, reason);
  throw new UnrecoverableError(reason.message);
}

async function recordFinal(
  deps: GenerateDeps,
  target: GenerateTarget,
  p: GeneratePayload,
  reason: { code: string; message: string },
): Promise<void> {
  await recordFailure(deps, target, p, reason);
  await deps.demand.done(target.targetModel);
}

/**
 * Job data is written only while this worker holds the job's lock (as the train path does): a worker that
 * stalled and lost the job must not overwrite the data of the worker that took it over.
 */
async function saveJobData(
  deps: GenerateDeps,
  job: GenerateJob,
  token: string | undefined,
  data: GenerateJob['data'],
): Promise<void> {
  if (!(await updateJobDataIfLocked(deps.redis, job, token, data)))
    throw new Error(`Lost the lock of generate job ${job.id}; the worker that holds it now carries on`);
}
