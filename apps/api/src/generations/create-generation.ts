import { type GenerationRequest, MAX_SEED, PRIORITY, newId } from '@dreamqueue/contracts';
import { badRequest, conflict } from '@dreamqueue/errors';
import { type GenerationRecord, type WaitingRange } from '@dreamqueue/records';
import { prioritizedAhead } from '@dreamqueue/redis';
import { type GenerationDeps } from './generation-deps';
import { readyOrThrow, requireReadyModel, type ReadyModel } from './model-lookup';
import { insertTriggerPhrase } from './trigger-phrase';
import { randomSeed } from './validation';
import { resourceWebhookUrl } from '../webhooks/resource-webhook-url';

const MAX_DEADLINE_MS = 24 * 3600 * 1000;
/** Intake attempts when the model changes under the request (each attempt builds on the model as stored). */
const MODEL_ATTEMPTS = 3;

/**
 * Validates what needs the tenant's model, then writes the record and enqueues one interactive job. The
 * record is built from the model as this process last saw it ready, and the intake script writes it only if
 * the stored model still matches (else it answers with the stored model, and the record is built again).
 */
export async function createGeneration(
  deps: GenerationDeps,
  tenantId: string,
  request: GenerationRequest,
): Promise<{ record: GenerationRecord; jobsAhead?: number }> {
  const webhookUrl = await resourceWebhookUrl(request.webhookUrl, deps, tenantId);
  const deadlineAt = request.deadline === undefined ? undefined : Date.parse(request.deadline);
  if (deadlineAt !== undefined && (deadlineAt <= Date.now() || deadlineAt > Date.now() + MAX_DEADLINE_MS)) {
    throw badRequest('invalid_deadline', 'deadline must be in the future and within 24 hours.');
  }
  let model =
    deps.models.lastReady(tenantId, request.model) ?? (await requireReadyModel(deps.models, tenantId, request.model));
  const id = newId('generation');
  const seed = request.seed ?? randomSeed();
  // The queue position travels with the intake: the jobs its job will wait behind, counted just before.
  const waiting: WaitingRange = prioritizedAhead(deps.queue, PRIORITY.interactive);
  let record: GenerationRecord | undefined;
  let jobsAhead: number | undefined;
  for (let attempt = 1; !record; attempt++) {
    const result = await deps.intake.create(
      newGeneration(id, tenantId, request, model, seed, deadlineAt),
      model.triggerPhrase,
      waiting,
    );
    if (result.created) ({ record, waitingAhead: jobsAhead } = result);
    else if (attempt === MODEL_ATTEMPTS) throw modelChanged(request.model);
    else model = readyOrThrow(await deps.models.judge(tenantId, request.model, result.model), request.model);
  }
  if (webhookUrl) await deps.webhookTargets.setForResource(tenantId, id, webhookUrl);
  const items = Array.from({ length: request.numImages }, (_, index) => ({
    index,
    prompt: record.prompt,
    negativePrompt: record.negativePrompt,
    seed: (seed + index) % (MAX_SEED + 1),
  }));
  try {
    await deps.queue.add(
      'generate',
      {
        tenantId,
        modelId: request.model,
        generationId: id,
        items,
        steps: request.steps,
        guidance: request.guidance,
        deadlineAt,
      },
      { jobId: id, priority: PRIORITY.interactive },
    );
  } catch (err) {
    // The intake raised the model's demand for this job; without the job nothing will lower it.
    await Promise.all([
      deps.generations.transition(tenantId, id, 'failed', {
        error: { code: 'enqueue_failed', message: 'The generation could not be queued.' },
      }),
      deps.demand.done(record.targetModel),
    ]).catch(() => undefined);
    throw err;
  }
  return { record, jobsAhead };
}

function newGeneration(
  id: string,
  tenantId: string,
  request: GenerationRequest,
  model: ReadyModel,
  seed: number,
  deadlineAt: number | undefined,
) {
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
