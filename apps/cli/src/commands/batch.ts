import { existsSync } from 'node:fs';
import { type Batch } from '@dreamqueue/client';
import { type CommandContext } from '../context';
import { CliError, EXIT, type ExitCode } from '../exit-codes';
import { RateMeter, renderProgress } from '../output/progress-bar';
import { gpuSecondsUsed } from '../output/format';
import { EventFeed } from '../watch/event-feed';
import { saveBatchResults } from './downloads';
import { readPrompts } from './prompts-file';

const FINISHED = new Set(['completed', 'canceled']);
/** How often the line is redrawn between events, so the rate and ETA stay current. */
const REDRAW_MS = 1_000;
/** Without a terminal, one plain progress line at most this often. */
const PLAIN_LINE_MS = 5_000;

export interface BatchOptions {
  out?: string;
  negative?: string;
  steps?: number;
  guidance?: number;
  wait: boolean;
  timeout?: number;
}

/**
 * `dreamqueue batch <model> <prompts-file> --out <dir>`: streams the prompts to the API, shows a live
 * progress bar (done, failed, rate, ETA) driven by the batch's events, then downloads the results.
 */
export async function batch(ctx: CommandContext, model: string, file: string, opts: BatchOptions): Promise<ExitCode> {
  const defaults = {
    ...(opts.negative !== undefined && { negativePrompt: opts.negative }),
    ...(opts.steps !== undefined && { steps: opts.steps }),
    ...(opts.guidance !== undefined && { guidance: opts.guidance }),
  };
  if (!existsSync(file)) throw new CliError(EXIT.usage, `${file} does not exist.`);
  const input = { model, items: readPrompts(file), defaults };
  if (!opts.wait) {
    const created = await ctx.client.createBatch(input);
    ctx.out.result(created, [
      `${created.id}  ${created.status}  ${created.total} prompts`,
      `Follow it: dreamqueue watch ${created.id} --out <dir>`,
    ]);
    return EXIT.ok;
  }
  const target = { kind: 'batch' as const, id: '', resume: '' };
  const finished = await ctx.watch(target, opts.timeout, async (signal) => {
    const feed = await EventFeed.open(ctx.client, signal);
    try {
      const created = await ctx.client.createBatch(input);
      target.id = created.id;
      target.resume = `dreamqueue watch ${created.id}${opts.out ? ` --out ${opts.out}` : ''}`;
      ctx.out.note(`Batch ${created.id}: ${created.total} prompts queued.`);
      return await followBatch(ctx, feed, created.id);
    } finally {
      feed.close();
    }
  });
  return finishBatch(ctx, finished, opts.out);
}

/** `dreamqueue watch <batch-id> [--out <dir>]`: the progress bar of a batch already queued, then its results. */
export async function watchBatch(
  ctx: CommandContext,
  id: string,
  opts: { out?: string; timeout?: number },
): Promise<ExitCode> {
  const target = {
    kind: 'batch' as const,
    id,
    resume: `dreamqueue watch ${id}${opts.out ? ` --out ${opts.out}` : ''}`,
  };
  const finished = await ctx.watch(target, opts.timeout, async (signal) => {
    const feed = await EventFeed.open(ctx.client, signal);
    try {
      return await followBatch(ctx, feed, id);
    } finally {
      feed.close();
    }
  });
  return finishBatch(ctx, finished, opts.out);
}

async function followBatch(ctx: CommandContext, feed: EventFeed, id: string): Promise<Batch> {
  const meter = new RateMeter();
  let latest: Batch | undefined;
  let rate: number | undefined;
  let lastPlain = 0;
  const draw = () => {
    if (!latest) return;
    const c = counts(latest);
    // While running: the pace measured here (local clock only); once finished: the batch's own, start to end.
    rate = finishedRate(latest) ?? meter.observe(c.succeeded + c.failed + c.canceled) ?? rate;
    const line = renderProgress({ ...c, rate }, ctx.out.columns);
    if (ctx.out.live) ctx.out.status(line);
    else if (!ctx.out.json && Date.now() - lastPlain >= PLAIN_LINE_MS) {
      lastPlain = Date.now();
      ctx.out.note(line);
    }
  };
  const redraw = setInterval(draw, REDRAW_MS);
  try {
    const batch = await feed.follow(
      id,
      () => ctx.client.getBatch(id),
      (b) => FINISHED.has(b.status),
      (b) => {
        latest = b;
        draw();
      },
    );
    lastPlain = 0;
    draw();
    ctx.out.endStatus();
    return batch;
  } finally {
    clearInterval(redraw);
  }
}

async function finishBatch(ctx: CommandContext, b: Batch, out: string | undefined): Promise<ExitCode> {
  const c = counts(b);
  const cost = typeof b.gpuSeconds === 'number' ? ` It ${gpuSecondsUsed(b.gpuSeconds)}.` : '';
  const summary = `Batch ${b.id} ${b.status}: ${c.succeeded} succeeded, ${c.failed} failed${c.canceled ? `, ${c.canceled} canceled` : ''}.${cost}`;
  if (!out) {
    ctx.out.result(b, [summary, `Download it: dreamqueue download ${b.id} --out <dir>`]);
  } else {
    const saved = await saveBatchResults(ctx, b.id, out);
    ctx.out.result({ ...b, manifest: saved.manifest, files: saved.files }, [
      summary,
      `  ${saved.files.length} images and ${saved.manifest}`,
      ...(c.failed > 0 ? [`Retry the failed ones: dreamqueue retry ${b.id}`] : []),
    ]);
  }
  return c.failed > 0 || b.status !== 'completed' ? EXIT.failed : EXIT.ok;
}

/** Items per second from the batch's creation to its end, both server times; undefined until it ends. */
function finishedRate(b: Batch): number | undefined {
  const start = Date.parse(String(b.createdAt));
  const end = Date.parse(String(b.finishedAt));
  const c = counts(b);
  const finished = c.succeeded + c.failed + c.canceled;
  return end > start && finished > 0 ? finished / ((end - start) / 1000) : undefined;
}

export function counts(b: Batch) {
  const n = (key: string) => (typeof b.counts[key] === 'number' ? b.counts[key] : 0);
  return { total: b.total, succeeded: n('succeeded'), failed: n('failed'), canceled: n('canceled') };
}
