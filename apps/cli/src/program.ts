import { Command, InvalidArgumentError } from 'commander';
import { batch, watchBatch } from './commands/batch';
import { generate } from './commands/generate';
import { login, logout } from './commands/login';
import { listModels, showModel } from './commands/model-commands';
import { cancel, download, retry } from './commands/resource-commands';
import { train } from './commands/train';
import { showUsage } from './commands/usage';
import { type CommandContext } from './context';
import { type ExitCode } from './exit-codes';

type Run = (action: (ctx: CommandContext) => Promise<ExitCode> | ExitCode, json: boolean) => Promise<void>;

const integer = (value: string): number => {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
};
const number = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
};
/** `--param key=value`, repeatable; the value is JSON when it parses (numbers, booleans), else a string. */
const param = (pair: string, previous: Record<string, unknown> = {}): Record<string, unknown> => {
  const eq = pair.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('expected key=value, e.g. steps=800');
  const raw = pair.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a plain string
  }
  return { ...previous, [pair.slice(0, eq)]: value };
};

/** The command line: every command, its arguments and options, and the function that runs it. */
export function buildProgram(run: Run, write: { out: (text: string) => void; err: (text: string) => void }): Command {
  // Set before the commands are added: each subcommand copies these settings when it is created.
  const program = new Command('dreamqueue')
    .exitOverride()
    .configureOutput({ writeOut: write.out, writeErr: write.err })
    .description('Train personal image models and generate images with dreamqueue.')
    .option('--json', 'print the result as JSON on stdout (for scripts); notes go to stderr')
    .showHelpAfterError('(run dreamqueue --help for usage)')
    .addHelpText(
      'after',
      '\nConfiguration: DREAMQUEUE_URL and DREAMQUEUE_API_KEY, or `dreamqueue login`.\nExit codes: 0 ok, 1 the work failed, 2 usage, 3 not configured or key refused, 4 rejected by the API, 5 API unreachable or unavailable, 6 --timeout, 130 Ctrl-C (the work goes on).',
    );
  const json = () => program.opts<{ json?: boolean }>().json === true;
  const timeout = ['--timeout <seconds>', 'stop watching after this long (the work goes on)', integer] as const;

  program
    .command('login')
    .description('store the API URL and key (asked for, or read from stdin) in a file only you can read')
    .option('--url <url>', 'the API, default DREAMQUEUE_URL or http://127.0.0.1:3000')
    .action((opts: { url?: string }) => run((ctx) => login(ctx, opts), json()));

  program
    .command('logout')
    .description('remove the stored key')
    .action(() => run((ctx) => logout(ctx), json()));

  program
    .command('train <photo-dir>')
    .description('train a model from the 10–15 photos (JPEG, PNG, WebP) in a folder')
    .requiredOption('--name <name>', "the model's name")
    .option('--class <subject-class>', 'what the photos show, e.g. person, dog (default person)')
    .option('--token <token>', 'the subject token (default: a fresh rare one)')
    .option('--param <key=value>', 'a tuning parameter, e.g. steps=800 (repeatable)', param)
    .option('--wait', 'follow the training until the model is ready or failed')
    .option(...timeout)
    .action(
      (
        dir: string,
        opts: {
          name: string;
          class?: string;
          token?: string;
          param?: Record<string, unknown>;
          wait?: boolean;
          timeout?: number;
        },
      ) => run((ctx) => train(ctx, dir, { ...opts, params: opts.param }), json()),
    );

  program
    .command('models')
    .description('list your models, newest first')
    .option('--limit <n>', 'how many', integer, 20)
    .action((opts: { limit: number }) => run((ctx) => listModels(ctx, opts), json()));

  program
    .command('model <model-id>')
    .description('show a model; --wait follows it until it is ready or failed')
    .option('--wait', 'follow its stages live')
    .option(...timeout)
    .action((id: string, opts: { wait?: boolean; timeout?: number }) => run((ctx) => showModel(ctx, id, opts), json()));

  program
    .command('generate <model-id> <prompt>')
    .description('generate images (write {trigger} in the prompt for the model’s subject) and save them')
    .option('-n, --count <n>', 'how many images, 1–8', integer, 4)
    .option('--out <dir>', 'where to write the images and their reproduction records')
    .option('--negative <prompt>', 'negative prompt')
    .option('--steps <n>', 'inference steps', integer)
    .option('--guidance <scale>', 'guidance scale', number)
    .option('--seed <n>', 'seed of the first image (image i uses seed + i); random when absent', integer)
    .option('--no-wait', 'queue it and print its id, without waiting')
    .option(...timeout)
    .action(
      (
        model: string,
        prompt: string,
        o: {
          count: number;
          out?: string;
          negative?: string;
          steps?: number;
          guidance?: number;
          seed?: number;
          wait: boolean;
          timeout?: number;
        },
      ) => run((ctx) => generate(ctx, model, prompt, { ...o, n: o.count }), json()),
    );

  program
    .command('batch <model-id> <prompts-file>')
    .description('queue one generation per line of a file (plain prompts or NDJSON), with a live progress bar')
    .option('--out <dir>', 'download the images and the manifest here when it finishes')
    .option('--negative <prompt>', 'default negative prompt')
    .option('--steps <n>', 'inference steps', integer)
    .option('--guidance <scale>', 'guidance scale', number)
    .option('--no-wait', 'queue it and print its id, without watching')
    .option(...timeout)
    .action(
      (
        model: string,
        file: string,
        opts: { out?: string; negative?: string; steps?: number; guidance?: number; wait: boolean; timeout?: number },
      ) => run((ctx) => batch(ctx, model, file, opts), json()),
    );

  program
    .command('watch <batch-id>')
    .description('the progress bar of a batch already queued; then its results, with --out')
    .option('--out <dir>', 'download the images and the manifest here when it finishes')
    .option(...timeout)
    .action((id: string, opts: { out?: string; timeout?: number }) => run((ctx) => watchBatch(ctx, id, opts), json()));

  program
    .command('cancel <id>')
    .description('cancel a training (mdl_…), a generation (gen_…) or a batch (bat_…)')
    .action((id: string) => run((ctx) => cancel(ctx, id), json()));

  program
    .command('download <id>')
    .description('save a generation’s images, or a finished batch’s images and manifest')
    .requiredOption('--out <dir>', 'where to write them')
    .action((id: string, opts: { out: string }) => run((ctx) => download(ctx, id, opts), json()));

  program
    .command('retry <batch-id>')
    .description('queue the failed items of a finished batch again')
    .action((id: string) => run((ctx) => retry(ctx, id), json()));

  program
    .command('usage')
    .description('the GPU time your work used: in total, per model, and per UTC day with --from/--to')
    .option('--from <date>', 'first day of a per-day breakdown (YYYY-MM-DD)')
    .option('--to <date>', 'last day (YYYY-MM-DD, default today)')
    .action((opts: { from?: string; to?: string }) => run((ctx) => showUsage(ctx, opts), json()));

  return program;
}
