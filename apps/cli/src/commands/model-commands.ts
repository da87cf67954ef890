import { type Model } from '@dreamqueue/client';
import { type CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { age, table } from '../output/format';
import { EventFeed } from '../watch/event-feed';

const TERMINAL = new Set(['ready', 'failed', 'canceled', 'deleted']);

/** `dreamqueue models`: the tenant's models, newest first. */
export async function listModels(ctx: CommandContext, opts: { limit: number }): Promise<ExitCode> {
  const page = await ctx.client.listModels({ limit: opts.limit });
  const rows = page.data.map((m) => [m.id, m.status, m.name, m.triggerPhrase, age(m.createdAt)]);
  ctx.out.result(
    page,
    rows.length > 0
      ? table(['ID', 'STATUS', 'NAME', 'TRIGGER', 'CREATED'], rows)
      : 'No models yet. Train one: dreamqueue train <photo-dir> --name <name>',
  );
  return EXIT.ok;
}

/** `dreamqueue model <id> [--wait]`: one model; with --wait, its stages live until it is ready or failed. */
export async function showModel(
  ctx: CommandContext,
  id: string,
  opts: { wait?: boolean; timeout?: number },
): Promise<ExitCode> {
  const model = opts.wait ? await waitForModel(ctx, id, opts.timeout) : await ctx.client.getModel(id);
  ctx.out.result(model, describeModel(model));
  return !opts.wait || model.status === 'ready' ? EXIT.ok : EXIT.failed;
}

/** Follows a model through its stages (driven by its events), printing each stage as it is entered. */
export function waitForModel(ctx: CommandContext, id: string, timeout?: number): Promise<Model> {
  const target = { kind: 'model' as const, id, resume: `dreamqueue model ${id} --wait` };
  return ctx.watch(target, timeout, async (signal) => {
    const feed = await EventFeed.open(ctx.client, signal);
    try {
      let last: string | undefined;
      return await feed.follow(
        id,
        () => ctx.client.getModel(id),
        (m) => TERMINAL.has(m.status),
        (m) => {
          if (m.status === last) return;
          last = m.status;
          ctx.out.note(`${new Date().toISOString().slice(11, 19)}  ${id}  ${m.status}`);
        },
      );
    } finally {
      feed.close();
    }
  });
}

export function describeModel(m: Model): string[] {
  return [
    `${m.id}  ${m.status}${m.status === 'ready' ? '' : ` (${m.progress}%)`}`,
    `  name:     ${m.name}`,
    `  trigger:  ${m.triggerPhrase}   (or write {trigger} in a prompt)`,
    `  created:  ${String(m.createdAt)} (${age(m.createdAt)})`,
    ...(typeof m.failureReason === 'string' ? [`  failure:  ${m.failureReason}`] : []),
  ];
}
