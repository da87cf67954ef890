import { type GenerationRequest, MAX_SEED, PRIORITY, newId } from '@dreamqueue/contracts';
import { badRequest } from '@dreamqueue/errors';
import { type GenerationRecord } from '@dreamqueue/records';
import { type GenerationDeps } from './generation-deps';
import { requireReadyModel } from './model-lookup';
import { insertTriggerPhrase } from './trigger-phrase';
import { randomSeed } from './validation';
import { resourceWebhookUrl } from '../webhooks/resource-webhook-url';

const MAX_DEADLINE_MS = 24 * 3600 * 1000;

/** Validates what needs the tenant's model, then writes the record and enqueues one interactive job. */
export async function createGeneration(
  deps: GenerationDeps,
  tenantId: string,
  request: GenerationRequest,
): Promise<GenerationRecord> {
  const webhookUrl = await resourceWebhookUrl(request.webhookUrl, deps, tenantId);
  const deadlineAt = request.deadline === undefined ? undefined : Date.parse(request.deadline);
  if (deadlineAt !== undefined && (deadlineAt <= Date.now() || deadlineAt > Date.now() + MAX_DEADLINE_MS)) {
    throw badRequest('invalid_deadline', 'deadline must be in the future and within 24 hours.');
  }
  const model = await requireReadyModel(deps.models, tenantId, request.model);
  const id = newId('generation');
  const seed = request.seed ?? randomSeed();
  const record = await deps.generations.create({
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
  });
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
    await deps.generations
      .transition(tenantId, id, 'failed', {
        error: { code: 'enqueue_failed', message: 'The generation could not be queued.' },
      })
      .catch(() => undefined);
    throw err;
  }
  await deps.demand.add(model.targetModel, 1);
  return record;
}
