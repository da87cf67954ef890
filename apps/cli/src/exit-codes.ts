/**
 * The CLI's exit codes (documented in docs/cli.md). Scripts branch on these; they never change meaning.
 */
export const EXIT = {
  /** Done, and the work succeeded. */
  ok: 0,
  /** The work ended without success: a model failed or was canceled, a generation failed, batch items failed. */
  failed: 1,
  /** The command line is wrong (unknown option, missing argument). */
  usage: 2,
  /** Not configured, or the API key was refused (401/403). */
  config: 3,
  /** The API refused the request (another 4xx): bad input, not found, not ready, conflict. */
  rejected: 4,
  /** The API could not be reached, or answered 5xx or 429. */
  unavailable: 5,
  /** `--timeout` passed before the work finished (it goes on on the server). */
  timeout: 6,
  /** A bug in the CLI (or it is not built): the message says what happened. */
  internal: 70,
  /** Ctrl-C while watching: watching stopped; the work goes on on the server. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure: its message is printed as is and the process exits with its code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** For --json: the error object printed on stdout. */
    readonly body: { code: string; message: string; details?: unknown } = { code: 'cli_error', message },
  ) {
    super(message);
    this.name = 'CliError';
  }
}
