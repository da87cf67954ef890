import { type GeneratePayload, type GenerationRequest, MAX_SEED, newId } from '@dreamqueue/contracts';
import { badRequest, conflict } from '@dreamqueue/errors';
import { type GenerationRecord, type NewGeneration } from '@dreamqueue/records';
import { withTraceContext } from '@dreamqueue/tracing';
import { type GenerationDeps } from './generation-deps';
import { readyOrThrow, requireReadyModel, type ReadyModel } from './model-lookup';
import { insertTriggerPhrase } from './trigger-phrase';
import { randomSeed } from './validation';
import { resourceWebhookUrl } from '../webhooks/resource-webhook-url';

const MAX_DEADLINE_MS = 24 * 3600 * 1000;
/** Intake attempts when the model changes under the request (each attempt builds on the model as stored). */
const MODEL_ATTEMPTS = 3;

/**
 * Validates what needs the tenant's model, then writes the record and its one interactive job in one
 * script. The record is built from the model as this process last saw it ready, and the intake script
 * writes it only if the stored model still matches (else it answers with the stored model, and the record
 * is built again). The record and the job are written together or not at all: a failed intake leaves
 * nothing to undo.
 */
export async function createGeneration(
  deps: GenerationDeps,
  tenantId: string,
  request: GenerationRequest,
): Promise<{ record: GenerationRecord; jobsAhead: number }> {
  // Most requests name no webhook: no promise to wait for then.
  const webhookUrl =
    request.webhookUrl === undefined ? undefined : await resourceWebhookUrl(request.webhookUrl, deps, tenantId);
  const deadlineAt = request.deadline === undefined ? undefined : Date.parse(request.deadline);
  if (deadlineAt !== undefined && (deadlineAt <= Date.now() || deadlineAt > Date.now() + MAX_DEADLINE_MS)) {
    throw badRequest('invalid_deadline', 'deadline must be in the future and within 24 hours.');
  }
  let model =
    deps.models.lastReady(tenantId, request.model) ?? (await requireReadyModel(deps.models, tenantId, request.model));
  const id = newId('generation');
  const seed = request.seed ?? randomSeed();
  // Set before the intake: its job may start as soon as the script has run.
  if (webhookUrl) await deps.webhookTargets.setForResource(tenantId, id, webhookUrl);
  let record: GenerationRecord | undefined;
  let jobsAhead = 0;
  try {
    for (let attempt = 1; !record; attempt++) {
      const generation = newGeneration(id, tenantId, request, model, seed, deadlineAt);
      const job = deps.interactiveJob(id, jobPayload(generation, seed), Date.now());
      const result = await deps.intake.create(generation, model.triggerPhrase, job);
      if (result.created) ({ record, waitingAhead: jobsAhead } = result);
      else if (attempt === MODEL_ATTEMPTS) throw modelChanged(request.model);
      else model = readyOrThrow(await deps.models.judge(tenantId, request.model, result.model), request.model);
    }
  } catch (err) {
    // No generation: its webhook URL would only wait out its TTL.
    if (webhookUrl) await deps.webhookTargets.removeForResource(tenantId, id).catch(() => undefined);
    throw err;
  }
  return { record, jobsAhead };
}

/** The job's data, as the worker validates it (`GeneratePayload`), with the request's trace when tracing. */
function jobPayload(generation: NewGeneration, seed: number): GeneratePayload {
  const items = Array.from({ length: generation.numImages }, (_, index) => ({
    index,
    prompt: generation.prompt,
    negativePrompt: generation.negativePrompt,
    seed: (seed + index) % (MAX_SEED + 1),
  }));
  return withTraceContext({
    tenantId: generation.tenantId,
    modelId: generation.modelId,
    generationId: generation.id,
    items,
    steps: generation.steps,
    guidance: generation.guidance,
    deadlineAt: generation.deadlineAt,
  });
}

function newGeneration(
  id: string,
  tenantId: string,
  request: GenerationRequest,
  model: ReadyModel,
  seed: number,
  deadlineAt: number | undefined,
): NewGeneration {
  return {
    id,
    tenantId,
    modelId: request.model,
    targetModel: model.targetModel,
    artifactEtag: model.artifactEtag,
    prompt: insertTriggerPhrase(request.prompt, model.triggerPhrase),
    negativePrompt: request.negativePrompt,
    numImages: request.numImages,
    steps: request.steps,
    guidance: request.guidance,
    seed,
    jobId: id,
    deadlineAt,
  };
}

const modelChanged = (modelId: string) =>
  conflict('model_not_ready', `Model ${modelId} changed while the generation was created; retry.`, {
    status: 'changing',
  });
