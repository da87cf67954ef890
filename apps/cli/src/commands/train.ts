import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { DreamqueueApiError } from '@dreamqueue/client';
import { type CommandContext } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { describeModel, waitForModel } from './model-commands';

const PHOTO_TYPES = new Set(['.jpg', '.jpeg', '.png', '.webp']);

export interface TrainOptions {
  name: string;
  class?: string;
  token?: string;
  params?: Record<string, unknown>;
  wait?: boolean;
  timeout?: number;
}

/** `dreamqueue train <dir> --name <name>`: uploads the photos in `dir` (JPEG, PNG, WebP) and queues a training. */
export async function train(ctx: CommandContext, dir: string, opts: TrainOptions): Promise<ExitCode> {
  const files = photoFiles(dir);
  ctx.out.note(`Uploading ${files.length} photos from ${dir} …`);
  let model;
  try {
    model = await ctx.client.createModel({
      name: opts.name,
      subjectClass: opts.class,
      token: opts.token,
      params: opts.params,
      images: files.map((f) => readFileSync(f)),
    });
  } catch (err) {
    throw withPhotoNames(err, files);
  }
  ctx.out.note(`Model ${model.id} is queued for training. Trigger phrase: ${model.triggerPhrase}`);
  if (opts.wait) model = await waitForModel(ctx, model.id, opts.timeout);
  ctx.out.result(model, describeModel(model));
  if (!opts.wait) ctx.out.note(`Follow it: dreamqueue model ${model.id} --wait`);
  return !opts.wait || model.status === 'ready' ? EXIT.ok : EXIT.failed;
}

function photoFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    throw new CliError(EXIT.usage, `${dir} is not a readable folder of photos.`);
  }
  const photos = names.filter((n) => PHOTO_TYPES.has(extname(n).toLowerCase())).sort();
  if (photos.length === 0) throw new CliError(EXIT.usage, `${dir} holds no .jpg, .jpeg, .png or .webp photos.`);
  return photos.map((n) => join(dir, n));
}

/** The API names bad photos by index; say which file each one is. */
function withPhotoNames(err: unknown, files: string[]): unknown {
  if (!(err instanceof DreamqueueApiError) || !Array.isArray(err.details)) return err;
  const details = (err.details as { index?: number }[]).map((d) =>
    typeof d.index === 'number' ? { file: basename(files[d.index] ?? '?'), ...d } : d,
  );
  return new DreamqueueApiError(err.status, err.code, err.message, details, err.retryAfterSeconds);
}
