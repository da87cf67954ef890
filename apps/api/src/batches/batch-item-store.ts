import { type GenerateItem } from '@dreamqueue/contracts';
import { serviceUnavailable } from '@dreamqueue/errors';
import { ITEM_SPECS_PER_PART, encodeItemSpecs } from '@dreamqueue/records';
import { keys } from '@dreamqueue/storage';
import { type GenerationDeps } from '../generations/generation-deps';

/**
 * Writes every part of a batch's item specs (`keys.batchItems`, one part per `addBulk` group) before anything
 * is recorded or enqueued, so the reconciler can rebuild any first-round job. If a part cannot be stored, the
 * parts already written are deleted and the caller gets 503 `storage_unavailable`: nothing was queued.
 */
export async function storeItemSpecs(
  deps: Pick<GenerationDeps, 'objects'>,
  tenantId: string,
  batchId: string,
  items: readonly GenerateItem[],
): Promise<void> {
  const written: string[] = [];
  try {
    for (let part = 0; part * ITEM_SPECS_PER_PART < items.length; part++) {
      const key = keys.batchItems(tenantId, batchId, part);
      const slice = items.slice(part * ITEM_SPECS_PER_PART, (part + 1) * ITEM_SPECS_PER_PART);
      await deps.objects.put(key, encodeItemSpecs(slice), 'application/x-ndjson');
      written.push(key);
    }
  } catch (err) {
    // Best effort: a part left behind (S3 still failing) lies under the batch id the client never received.
    await Promise.all(written.map((key) => deps.objects.delete(key).catch(() => undefined)));
    throw serviceUnavailable(
      'storage_unavailable',
      "The batch's items could not be stored; nothing was queued. Try again.",
      err,
    );
  }
}

/** Deletes every part `storeItemSpecs` wrote for a batch that was then refused (best effort, like its cleanup). */
export async function removeItemSpecs(
  deps: Pick<GenerationDeps, 'objects'>,
  tenantId: string,
  batchId: string,
  count: number,
): Promise<void> {
  const parts = Math.ceil(count / ITEM_SPECS_PER_PART);
  await Promise.all(
    Array.from({ length: parts }, (_, part) =>
      deps.objects.delete(keys.batchItems(tenantId, batchId, part)).catch(() => undefined),
    ),
  );
}
