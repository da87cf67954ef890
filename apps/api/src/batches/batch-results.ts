import { once } from 'node:events';
import { type Response } from 'express';
import { conflict } from '@dreamqueue/errors';
import { type BatchRecord, type ManifestLine } from '@dreamqueue/records';
import { type GenerationDeps } from '../generations/generation-deps';

/**
 * Streams the batch manifest as NDJSON, adding a fresh presigned URL to each succeeded item while
 * streaming (URLs are made per response, never stored). Honors backpressure from slow clients.
 */
export async function streamBatchResults(deps: GenerationDeps, batch: BatchRecord, res: Response): Promise<void> {
  if (!batch.manifestKey || batch.status === 'queued' || batch.status === 'running') {
    throw conflict('batch_not_finished', `Batch ${batch.id} is ${batch.status}; results are available when it ends.`);
  }
  const manifest = await deps.objects.get(batch.manifestKey);
  res.status(200).type('application/x-ndjson');
  let start = 0;
  while (start < manifest.length) {
    let end = manifest.indexOf(10, start);
    if (end < 0) end = manifest.length;
    const text = manifest.toString('utf8', start, end);
    start = end + 1;
    if (!text.trim()) continue;
    const { imageKey, ...line } = JSON.parse(text) as ManifestLine;
    const out = imageKey ? { ...line, ...(await deps.objects.presignGet(imageKey, deps.presignExpirySeconds)) } : line;
    if (!res.write(JSON.stringify(out) + '\n')) await once(res, 'drain');
  }
  res.end();
}
