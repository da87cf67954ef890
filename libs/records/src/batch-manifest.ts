import { type BatchRecord, type BatchStore, type RecordResult } from './batch.store';

/** The one S3 operation the manifest writer needs (an `ObjectStore` satisfies it). */
export interface ManifestSink {
  put(key: string, body: Buffer, contentType: string): Promise<unknown>;
}

export interface ManifestLine {
  index: number;
  status: string;
  seed?: number;
  imageKey?: string;
  error?: { code: string; message: string };
}

/**
 * Ends a batch round: writes the NDJSON manifest (every item, index order) to S3 and then marks the round
 * complete with its `batch.completed` event. Several finalizers may race (the last jobs of a batch finishing
 * together, or a retried finalizer): they write the same object and only one completion is recorded.
 */
export async function finalizeBatch(
  deps: { batches: BatchStore; objects: ManifestSink },
  batch: BatchRecord,
  counts: RecordResult['counts'],
  keysFor: { manifest: string; image: (index: number) => string },
): Promise<boolean> {
  const lines: string[] = [];
  for await (const item of deps.batches.items(batch.tenantId, batch.id, batch.total)) {
    const line: ManifestLine = { index: item.index, status: item.status };
    if (item.seed !== undefined) line.seed = item.seed;
    if (item.status === 'succeeded') line.imageKey = keysFor.image(item.index);
    if (item.error) line.error = item.error;
    lines.push(JSON.stringify(line));
  }
  await deps.objects.put(keysFor.manifest, Buffer.from(lines.join('\n') + '\n'), 'application/x-ndjson');
  return deps.batches.complete(batch, counts, keysFor.manifest);
}
