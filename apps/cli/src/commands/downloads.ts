import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Generation } from '@dreamqueue/client';
import { type CommandContext } from '../context';
import { CliError, EXIT } from '../exit-codes';

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
const PARALLEL_DOWNLOADS = 4;

/** Writes a generation's images as `<id>-<index>.<ext>` and its reproduction records as `<id>.json`. */
export async function saveGenerationImages(ctx: CommandContext, g: Generation, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files = await inParallel(g.images ?? [], (image) =>
    fetchTo(ctx, image.url, join(dir, `${g.id}-${image.index}`)),
  );
  const record = {
    ...g,
    images: (g.images ?? []).map(({ url: _url, expiresAt: _e, ...rest }, i) => ({ ...rest, file: files[i] })),
  };
  writeFileSync(join(dir, `${g.id}.json`), `${JSON.stringify(record, null, 2)}\n`);
  return files;
}

export interface SavedBatch {
  manifest: string;
  files: string[];
  succeeded: number;
  failed: number;
}

/**
 * Writes a finished batch's images as `<index>.<ext>` and its manifest as `manifest.ndjson` (one line per item,
 * the image's file name instead of its presigned URL, which expires and is not for keeping).
 */
export async function saveBatchResults(ctx: CommandContext, batchId: string, dir: string): Promise<SavedBatch> {
  mkdirSync(dir, { recursive: true });
  const lines: Record<string, unknown>[] = [];
  for await (const line of ctx.client.batchResults(batchId)) lines.push(line);
  const width = String(Math.max(0, lines.length - 1)).length;
  const files = await inParallel(lines, async (line) =>
    typeof line.url === 'string'
      ? fetchTo(ctx, line.url, join(dir, String(line.index).padStart(width, '0')))
      : undefined,
  );
  const manifest = join(dir, 'manifest.ndjson');
  const kept = lines.map(({ url: _url, expiresAt: _e, ...rest }, i) => ({
    ...rest,
    ...(files[i] && { file: files[i] }),
  }));
  writeFileSync(manifest, kept.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return {
    manifest,
    files: files.filter((f): f is string => f !== undefined),
    succeeded: lines.filter((l) => l.status === 'succeeded').length,
    failed: lines.filter((l) => l.status === 'failed').length,
  };
}

async function fetchTo(ctx: CommandContext, url: string, pathWithoutExtension: string): Promise<string> {
  const response = await ctx.fetch(url, { signal: AbortSignal.any([ctx.interrupted, AbortSignal.timeout(60_000)]) });
  if (!response.ok) {
    // The URL is presigned (a credential until it expires): never print it.
    throw new CliError(
      EXIT.unavailable,
      `An image download failed with HTTP ${response.status}; run the download again.`,
    );
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const file = `${pathWithoutExtension}.${EXTENSIONS[type] ?? 'bin'}`;
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  return file;
}

async function inParallel<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, items.length) }, worker));
  return results;
}
