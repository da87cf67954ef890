import { type Usage, type UsageFigures } from '@dreamqueue/client';
import { type CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { gpuSecondsUsed, table } from '../output/format';

/** `dreamqueue usage [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: the GPU time the caller's work used. */
export async function showUsage(ctx: CommandContext, range: { from?: string; to?: string }): Promise<ExitCode> {
  const usage = await ctx.client.getUsage(range);
  ctx.out.result(usage, describeUsage(usage));
  return EXIT.ok;
}

const COLUMNS = ['GPU-SECONDS', 'IMAGES', 'TRAININGS'];
const cells = (f: UsageFigures) => [f.gpuSeconds.toFixed(1), String(f.generate.images), String(f.train.trainings)];

export function describeUsage(u: Usage): string[] {
  const lines = [
    `Tenant ${u.tenant} ${gpuSecondsUsed(u.gpuSeconds)}: ${u.generate.gpuSeconds.toFixed(1)} for ${u.generate.images} images, ${u.train.gpuSeconds.toFixed(1)} for ${u.train.trainings} trainings.`,
  ];
  if (u.models.length > 0)
    lines.push(
      '',
      ...table(
        ['MODEL', ...COLUMNS],
        u.models.map((m) => [m.model, ...cells(m)]),
      ),
    );
  if (u.days)
    lines.push(
      '',
      ...table(
        ['DAY (UTC)', ...COLUMNS],
        u.days.map((d) => [d.date, ...cells(d)]),
      ),
    );
  return lines;
}
