import { CommanderError } from 'commander';
import { CommandContext } from './context';
import { toCliError } from './errors';
import { EXIT, type ExitCode } from './exit-codes';
import { Output, type Io } from './output/output';
import { buildProgram } from './program';

const processIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});

/**
 * The `dreamqueue` command (composition root): parses `argv`, runs one command and resolves its exit
 * code. Ctrl-C while a command watches stops the watching, not the work; otherwise it exits at once.
 */
export async function cli(argv: string[], io: Io = processIo()): Promise<ExitCode> {
  const interrupt = new AbortController();
  let watching = false;
  const onSigint = () => {
    if (watching && !interrupt.signal.aborted) return interrupt.abort();
    io.stderr.write('\nInterrupted.\n');
    process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onSigint);

  let code: ExitCode = EXIT.ok;
  let context: CommandContext | undefined;
  const program = buildProgram(
    async (action, json) => {
      const ctx = new CommandContext(io, new Output(io, json), interrupt.signal, (active) => (watching = active));
      context = ctx;
      code = await action(ctx);
    },
    { out: (text) => io.stdout.write(text), err: (text) => io.stderr.write(text) },
  );
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      code = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      const failure = toCliError(err, safeUrl(context));
      context?.out.endStatus();
      if (context?.out.json) io.stdout.write(`${JSON.stringify({ error: failure.body }, null, 2)}\n`);
      io.stderr.write(`dreamqueue: ${failure.message}\n`);
      // DREAMQUEUE_DEBUG=1 shows where an unexpected error came from (never set by default: no noise).
      if (io.env.DREAMQUEUE_DEBUG && err instanceof Error)
        io.stderr.write(
          `${err.stack}\n${err.cause ? `cause: ${String((err.cause as Error).stack ?? err.cause)}\n` : ''}`,
        );
      code = failure.exitCode;
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  return code;
}

function safeUrl(ctx: CommandContext | undefined): string | undefined {
  try {
    return ctx?.config.url;
  } catch {
    return undefined;
  }
}
