import { createHash } from 'node:crypto';
import { MAX_SEED, newId, type GenerateItem } from '@dreamqueue/contracts';
import { conflict, isAppError } from '@dreamqueue/errors';
import { type BatchRecord } from '@dreamqueue/records';
import { type GenerationDeps } from '../generations/generation-deps';
import { requireReadyModel } from '../generations/model-lookup';
import { insertTriggerPhrase } from '../generations/trigger-phrase';
import { randomSeed } from '../generations/validation';
import { resourceWebhookUrl } from '../webhooks/resource-webhook-url';
import { type BatchIntake } from './batch-intake';
import { enqueueBatchJobs } from './batch-enqueue';
import { removeItemSpecs, storeItemSpecs } from './batch-item-store';

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
 * Creates a batch all or nothing as far as S3 goes: every item spec is stored first (a failure answers 503 with
 * nothing recorded or queued), then the record, then the jobs. The tenant's quotas (queued items, images per
 * minute) are asked before anything is stored, and decided by the record's create script: a batch refused
 * there has its stored specs deleted, so a refused batch leaves nothing, whole (never part of its items). `preferredId` comes from `batchIdFor`; a batch
 * already under that id is resumed only when it is this very request retried within the idempotency window
 * (its first attempt crashed before answering). A key reused later, or with another body, gets a new batch:
 * the old one is never touched.
 */
export async function createBatch(
  deps: GenerationDeps,
  tenantId: string,
  preferredId: string,
  intake: BatchIntake,
): Promise<BatchRecord> {
  const { header } = intake;
  const webhookUrl = await resourceWebhookUrl(header.webhookUrl, deps, tenantId);
  const model = await requireReadyModel(deps.models, tenantId, header.model);
  const { steps, guidance, negativePrompt } = header.defaults;
  const { batchId, resumed } = await chooseBatchId(deps, tenantId, preferredId, intake.bodyHash);
  // A resumed batch was counted by its first attempt.
  if (!resumed) await deps.quotas.precheck(tenantId, { items: intake.items.length, images: intake.items.length });
  const items: GenerateItem[] = intake.items.map((item, index) => ({
    index,
    prompt: insertTriggerPhrase(item.prompt, model.triggerPhrase),
    negativePrompt: item.negativePrompt ?? negativePrompt,
    seed: item.seed ?? randomSeed() % (MAX_SEED + 1),
  }));
  await storeItemSpecs(deps, tenantId, batchId, items);
  const { record, created } = await deps.batches
    .create({
      id: batchId,
      tenantId,
      modelId: header.model,
      targetModel: model.targetModel,
      artifactEtag: model.artifactEtag,
      total: items.length,
      steps,
      guidance,
      intakeHash: intake.bodyHash,
    })
    .catch(async (err: unknown) => {
      // Only a refusal is known to have written nothing: after any other error the record may exist, and
      // the reconciler rebuilds its jobs from these specs.
      if (!resumed && isAppError(err) && err.status < 500) await removeItemSpecs(deps, tenantId, batchId, items.length);
      throw err;
    });
  // Checked again after the write: only this request may resume the batch under this id.
  if (!created && record?.intakeHash !== intake.bodyHash)
    throw conflict('idempotency_in_progress', 'A batch with this Idempotency-Key is being created; retry it.');
  if (webhookUrl) await deps.webhookTargets.setForResource(tenantId, batchId, webhookUrl);
  const spec = { tenantId, batchId, modelId: header.model, steps, guidance, round: 0 };
  const chunks = await enqueueBatchJobs(deps, spec, items.length, (index) => items[index]!);
  await deps.batches.setChunks(tenantId, batchId, chunks);
  await deps.demand.add(model.targetModel, chunks);
  return (await deps.batches.get(tenantId, batchId))!;
}

async function chooseBatchId(
  deps: GenerationDeps,
  tenantId: string,
  preferredId: string,
  intakeHash: string,
): Promise<{ batchId: string; resumed: boolean }> {
  const existing = await deps.batches.get(tenantId, preferredId);
  if (!existing) return { batchId: preferredId, resumed: false };
  const windowMs = deps.idempotency.ttlSeconds * 1000;
  const resumable = existing.intakeHash === intakeHash && Date.now() - Date.parse(existing.createdAt) < windowMs;
  return resumable ? { batchId: preferredId, resumed: true } : { batchId: newId('batch'), resumed: false };
}
