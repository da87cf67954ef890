import { classifyAwsError, decodeGenerationResponse, encodeGenerationRequest } from '@dreamqueue/aws';
import { isBaseModelMissing, SETUP_MODEL, setupRequestBody } from '@dreamqueue/contracts';
import { TrainingFailure, type StepInput, type StepOutcome, type TrainStepDeps } from '../train-context';

/**
 * warm: one tiny invocation (1 row, 1 step) so the model is loaded before anyone needs it, and proof that
 * it loads at all. ModelNotReadyException → check again later (no slot held) within the load window; an
 * instance without the base model → invoke model_setup first; repeated model errors → the artifact cannot
 * load and the model fails — it is never offered as ready.
 */
export async function warmStep(ports: TrainStepDeps, input: StepInput): Promise<StepOutcome> {
  const { checkpoint, model } = input;
  if (!checkpoint.targetModel) throw new TrainingFailure('No registered model to warm.');
  const startedAt = checkpoint.warmStartedAt ?? ports.now();
  const checks = (checkpoint.warmChecks ?? 0) + 1;
  const base = { warmStartedAt: startedAt, warmChecks: checks };
  try {
    const body = encodeGenerationRequest([
      { prompt: model.triggerPhrase, negativePrompt: '', seed: 1, steps: 1, guidance: 7.5 },
    ]);
    const out = await ports.mme.invoke({
      endpoint: ports.settings.mmeEndpoint,
      targetModel: checkpoint.targetModel,
      body,
      inferenceId: `warm-${model.id}`,
      signal: input.signal,
    });
    decodeGenerationResponse(out, 1);
    return { next: 'done', patch: base, progress: 100, log: `warm: ${checkpoint.targetModel} answered` };
  } catch (err) {
    return afterWarmError(ports, input, err, base);
  }
}

async function afterWarmError(
  ports: TrainStepDeps,
  input: StepInput,
  err: unknown,
  base: { warmStartedAt: number; warmChecks: number },
): Promise<StepOutcome> {
  const failure = classifyAwsError(err);
  const { settings } = ports;
  const loadingFor = ports.now() - base.warmStartedAt;
  if (failure.kind === 'throttled') throw err;
  if (failure.kind === 'model_not_ready') {
    if (loadingFor > settings.warmWindowMs) {
      throw new TrainingFailure(
        `The model did not load on the endpoint within ${Math.round(settings.warmWindowMs / 1000)} s.`,
      );
    }
    return { waitMs: settings.warmRetryMs, patch: base, log: 'warm: model still loading' };
  }
  if (isBaseModelMissing(err) && base.warmChecks <= settings.warmMaxErrors * 4) {
    return bootstrap(ports, input, base);
  }
  if (failure.kind === 'transient') {
    const errors = (input.checkpoint.warmErrors ?? 0) + 1;
    if (errors >= settings.warmMaxErrors) throw new TrainingFailure(`The model cannot be loaded: ${failure.reason}`);
    return { waitMs: settings.warmRetryMs, patch: { ...base, warmErrors: errors }, log: `warm: ${failure.reason}` };
  }
  throw new TrainingFailure(`The model cannot be loaded: ${failure.reason}`);
}

/** Invokes model_setup on the instance; its own cold load is waited out like any model's. */
async function bootstrap(
  ports: TrainStepDeps,
  input: StepInput,
  base: { warmStartedAt: number; warmChecks: number },
): Promise<StepOutcome> {
  try {
    await ports.mme.invoke({
      endpoint: ports.settings.mmeEndpoint,
      targetModel: SETUP_MODEL,
      body: setupRequestBody(),
      inferenceId: `setup-${input.model.id}`,
      signal: input.signal,
    });
    return { waitMs: 0, patch: base, log: 'warm: the instance lacked the base model; model_setup invoked' };
  } catch (err) {
    const failure = classifyAwsError(err);
    if (failure.kind === 'model_not_ready' || failure.kind === 'transient')
      return { waitMs: ports.settings.warmRetryMs, patch: base, log: 'warm: model_setup loading' };
    throw err;
  }
}
