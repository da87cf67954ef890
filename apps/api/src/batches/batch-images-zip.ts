import { Readable } from 'node:stream';
import { type Response } from 'express';
import { ZipFile } from 'yazl';
import { conflict } from '@dreamqueue/errors';
import { type BatchRecord, type ManifestLine } from '@dreamqueue/records';
import { type GenerationDeps } from '../generations/generation-deps';

/** The file name of one item's image inside the zip: sorts in item order, says which seed made it. */
export const zipEntryName = (line: ManifestLine) =>
  `images/${String(line.index).padStart(6, '0')}-seed${line.seed ?? 'none'}.jpg`;

/**
 * Streams a finished batch's images as one zip (stored, not deflated: JPEGs do not shrink), with
 * `results.ndjson` naming each item's file. Objects are read from S3 one at a time, only when the zip
 * writer reaches them, and the writer follows the client's pace, so memory stays at one image whatever
 * the batch size. A client that goes away stops the reading.
 */
export async function streamBatchImagesZip(deps: GenerationDeps, batch: BatchRecord, res: Response): Promise<void> {
  if (!batch.manifestKey || batch.status === 'queued' || batch.status === 'running') {
    throw conflict('batch_not_finished', `Batch ${batch.id} is ${batch.status}; its images are ready when it ends.`);
  }
  const lines = (await deps.objects.get(batch.manifestKey))
    .toString('utf8')
    .split('\n')
    .filter((text) => text.trim() !== '')
    .map((text) => JSON.parse(text) as ManifestLine);

  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  let gone = false;
  res.on('close', () => {
    if (!res.writableFinished) {
      gone = true;
      output.destroy();
    }
  });
  const results = lines.map(({ imageKey, ...line }) =>
    JSON.stringify(imageKey ? { ...line, file: zipEntryName(line) } : line),
  );
  zip.addBuffer(Buffer.from(results.join('\n') + '\n'), 'results.ndjson');
  for (const line of lines) {
    const key = line.imageKey;
    if (!key) continue;
    zip.addReadStreamLazy(zipEntryName(line), { compress: false }, (cb) => {
      if (gone) return cb(new Error('client went away'), Readable.from([]));
      deps.objects.get(key).then(
        (bytes) => cb(null, Readable.from([bytes])),
        (err: unknown) => cb(err, Readable.from([])),
      );
    });
  }
  zip.end();

  res.status(200).set({
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="${batch.id}-images.zip"`,
    'cache-control': 'no-store',
  });
  await new Promise<void>((resolve) => {
    zip.on('error', (err: Error) => {
      // Headers are out: the only honest signal left is a cut connection (the zip has no central directory).
      if (!gone) res.req.log?.warn({ err: err.message, batchId: batch.id }, 'batch zip stream failed');
      res.destroy();
      resolve();
    });
    output.on('error', () => resolve());
    output
      .pipe(res)
      .on('finish', () => resolve())
      .on('close', () => resolve());
  });
}
