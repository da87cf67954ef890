import { gunzipSync, gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';

export interface TarEntry {
  name: string;
  type: string;
  data: Buffer;
}

/** Packs files into an in-memory tar (optionally gzip'd). */
export async function packTar(files: { name: string; data: Buffer }[], gzip = false): Promise<Buffer> {
  const pack = tar.pack();
  for (const file of files) pack.entry({ name: file.name, size: file.data.length }, file.data);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  const tarball = Buffer.concat(chunks);
  return gzip ? gzipSync(tarball) : tarball;
}

/** Whether a buffer starts with the gzip magic bytes. */
export function isGzip(data: Buffer): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/**
 * Reads every entry of a tar (gzip'd or not). Entries beyond `maxEntryBytes` make it throw, so a hostile
 * archive cannot exhaust memory. Throws a readable error for data that is not a tar.
 */
export async function readTar(data: Buffer, maxEntryBytes = 50 * 1024 * 1024): Promise<TarEntry[]> {
  const raw = isGzip(data) ? gunzipSync(data) : data;
  const extract = tar.extract();
  const entries: TarEntry[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      if (entry.header.size !== undefined && entry.header.size > maxEntryBytes) {
        throw new Error(`${entry.header.name} is larger than ${maxEntryBytes} bytes`);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
      entries.push({ name: entry.header.name, type: entry.header.type ?? 'file', data: Buffer.concat(chunks) });
    }
  })();
  Readable.from([raw]).pipe(extract);
  await done;
  return entries;
}
