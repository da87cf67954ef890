import { type CommandContext } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { counts } from './batch';
import { saveBatchResults, saveGenerationImages } from './downloads';

function kindOf(id: string): 'model' | 'generation' | 'batch' {
  if (id.startsWith('mdl_')) return 'model';
  if (id.startsWith('gen_')) return 'generation';
  if (id.startsWith('bat_')) return 'batch';
  throw new CliError(EXIT.usage, `${id} is not a model (mdl_…), generation (gen_…) or batch (bat_…) id.`);
}

/** `dreamqueue cancel <id>`: a training, a generation or a batch, by its id. */
export async function cancel(ctx: CommandContext, id: string): Promise<ExitCode> {
  const kind = kindOf(id);
  const result =
    kind === 'model'
      ? await ctx.client.cancelModel(id)
      : kind === 'generation'
        ? await ctx.client.cancelGeneration(id)
        : await ctx.client.cancelBatch(id);
  ctx.out.result(result, `${id} ${result.status}`);
  return EXIT.ok;
}

/** `dreamqueue download <id> --out <dir>`: a generation's images, or a finished batch's images and manifest. */
export async function download(ctx: CommandContext, id: string, opts: { out: string }): Promise<ExitCode> {
  const kind = kindOf(id);
  if (kind === 'generation') {
    const g = await ctx.client.getGeneration(id);
    if (g.status !== 'succeeded')
      throw new CliError(EXIT.rejected, `${id} is ${g.status}; only a succeeded generation has images.`);
    const files = await saveGenerationImages(ctx, g, opts.out);
    ctx.out.result({ ...g, files }, [`${files.length} images:`, ...files.map((f) => `  ${f}`)]);
    return EXIT.ok;
  }
  if (kind === 'batch') {
    const b = await ctx.client.getBatch(id);
    const saved = await saveBatchResults(ctx, id, opts.out);
    ctx.out.result({ ...b, manifest: saved.manifest, files: saved.files }, [
      `${saved.files.length} images (${saved.succeeded} succeeded, ${saved.failed} failed) and ${saved.manifest}`,
    ]);
    return counts(b).failed > 0 ? EXIT.failed : EXIT.ok;
  }
  throw new CliError(EXIT.usage, 'Models are used by id, not downloaded; download a generation or a batch.');
}

/** `dreamqueue retry <batch-id>`: queues the failed items of a finished batch again. */
export async function retry(ctx: CommandContext, id: string): Promise<ExitCode> {
  if (kindOf(id) !== 'batch') throw new CliError(EXIT.usage, 'retry takes a batch id (bat_…).');
  const b = await ctx.client.retryFailed(id);
  ctx.out.result(b, `${id}: ${String(b.retried ?? 0)} failed items queued again. Watch: dreamqueue watch ${id}`);
  return EXIT.ok;
}
