import { createHash } from 'node:crypto';
import { MAX_SEED, newId, type GenerateItem } from '@dreamqueue/contracts';
import { encodeItemSpecs, type BatchRecord } from '@dreamqueue/records';
import { keys } from '@dreamqueue/storage';
import { type GenerationDeps } from '../generations/generation-deps';
import { requireReadyModel } from '../generations/model-lookup';
import { insertTriggerPhrase } from '../generations/trigger-phrase';
import { randomSeed } from '../generations/validation';
import { validateWebhookUrl } from '../webhooks/webhook-url';
import { type BatchIntake } from './batch-intake';
import { enqueueBatchJobs } from './batch-enqueue';

/**
 * With an Idempotency-Key the batch id is derived from (tenant, key): an intake retried after a crash
 * reuses the same batch and the same job ids, so nothing is enqueued twice.
 */
export function batchIdFor(tenantId: string, idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return newId('batch');
  const digest = createHash('sha256').update(`${tenantId}\n${idempotencyKey}`).digest();
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  return `bat_${[...digest.subarray(0, 20)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/**
 * First-round jobs carry the only in-Redis copy of their items; each group's specs also go to S3
 * (`keys.batchItems`) so the reconciler can enqueue a lost job again with the same payload.
 */
function storeItemSpecs(deps: GenerationDeps, tenantId: string, batchId: string) {
  return async (part: number, items: GenerateItem[]) => {
    await deps.objects.put(keys.batchItems(tenantId, batchId, part), encodeItemSpecs(items), 'application/x-ndjson');
  };
}

export async function createBatch(
  deps: GenerationDeps,
  tenantId: string,
  batchId: string,
  intake: BatchIntake,
): Promise<BatchRecord> {
  const { header, items } = intake;
  const webhookUrl =
    header.webhookUrl === undefined ? undefined : validateWebhookUrl(header.webhookUrl, deps.webhookPolicy);
  const model = await requireReadyModel(deps.models, tenantId, header.model);
  const { steps, guidance, negativePrompt } = header.defaults;
  await deps.batches.create({
    id: batchId,
    tenantId,
    modelId: header.model,
    targetModel: model.targetModel,
    artifactEtag: model.artifactEtag,
    total: items.length,
    steps,
    guidance,
  });
  if (webhookUrl) await deps.webhookTargets.setForResource(tenantId, batchId, webhookUrl);
  const spec = { tenantId, batchId, modelId: header.model, steps, guidance, round: 0 };
  const chunks = await enqueueBatchJobs(
    deps,
    spec,
    items.length,
    (index) => {
      const item = items[index]!;
      return {
        index,
        prompt: insertTriggerPhrase(item.prompt, model.triggerPhrase),
        negativePrompt: item.negativePrompt ?? negativePrompt,
        seed: item.seed ?? randomSeed() % (MAX_SEED + 1),
      };
    },
    storeItemSpecs(deps, tenantId, batchId),
  );
  await deps.batches.setChunks(tenantId, batchId, chunks);
  await deps.demand.add(model.targetModel, chunks);
  return (await deps.batches.get(tenantId, batchId))!;
}
