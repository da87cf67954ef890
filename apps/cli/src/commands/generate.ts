import { type Generation } from '@dreamqueue/client';
import { type CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { EventFeed } from '../watch/event-feed';
import { saveGenerationImages } from './downloads';

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'expired']);

export interface GenerateOptions {
  n: number;
  out?: string;
  negative?: string;
  steps?: number;
  guidance?: number;
  seed?: number;
  wait: boolean;
  timeout?: number;
}

/**
 * `dreamqueue generate <model> "<prompt>" -n 4 --out <dir>`: queues a generation, follows it (queued with
 * position and ETA, running, done) through its events and writes the images to `--out`.
 */
export async function generate(
  ctx: CommandContext,
  model: string,
  prompt: string,
  opts: GenerateOptions,
): Promise<ExitCode> {
  const input = {
    model,
    prompt,
    numImages: opts.n,
    ...(opts.negative !== undefined && { negativePrompt: opts.negative }),
    ...(opts.steps !== undefined && { steps: opts.steps }),
    ...(opts.guidance !== undefined && { guidance: opts.guidance }),
    ...(opts.seed !== undefined && { seed: opts.seed }),
  };
  if (!opts.wait) {
    const created = await ctx.client.createGeneration(input);
    ctx.out.result(created, [
      `${created.id}  ${created.status}`,
      `Follow it: dreamqueue download ${created.id} --out <dir>`,
    ]);
    return EXIT.ok;
  }
  let id = '';
  const target = { kind: 'generation' as const, id: '', resume: '' };
  const done = await ctx.watch(target, opts.timeout, async (signal) => {
    // Open the stream first: the generation's events cannot happen before we listen.
    const feed = await EventFeed.open(ctx.client, signal);
    try {
      const created = await ctx.client.createGeneration(input);
      id = target.id = created.id;
      target.resume = `dreamqueue download ${id} --out ${opts.out ?? '<dir>'}`;
      return await feed.follow(
        id,
        () => ctx.client.getGeneration(id),
        (g) => TERMINAL.has(g.status),
        (g) => ctx.out.note(statusLine(g)),
      );
    } finally {
      feed.close();
    }
  });
  if (done.status !== 'succeeded') {
    ctx.out.result(done, `${id} ${done.status}${done.error ? `: ${done.error.code}: ${done.error.message}` : ''}`);
    return EXIT.failed;
  }
  const files = opts.out ? await saveGenerationImages(ctx, done, opts.out) : [];
  ctx.out.result(
    { ...done, files },
    files.length > 0
      ? [`${id} succeeded: ${files.length} images (seed ${String(done.seed)})`, ...files.map((f) => `  ${f}`)]
      : [`${id} succeeded: ${done.images?.length ?? 0} images. Save them: dreamqueue download ${id} --out <dir>`],
  );
  return EXIT.ok;
}

function statusLine(g: Generation): string {
  const time = new Date().toISOString().slice(11, 19);
  if (g.status === 'queued' && typeof g.queuePosition === 'number')
    return `${time}  ${g.id}  queued (position ${g.queuePosition}${typeof g.etaSeconds === 'number' ? `, ETA ~${g.etaSeconds}s` : ''})`;
  return `${time}  ${g.id}  ${g.status}`;
}
