/** Where a command writes: results on stdout (one JSON document with --json), notes and progress on stderr. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export class Output {
  constructor(
    private readonly io: Io,
    readonly json: boolean,
  ) {}

  /** The command's result: `data` as JSON with --json, otherwise the human lines. */
  result(data: unknown, human: string | string[]): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else for (const line of [human].flat()) this.io.stdout.write(`${line}\n`);
  }

  /** A note for people (stderr, so stdout stays parseable). */
  note(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  /** A live, rewritten status line: only on a terminal and without --json. */
  get live(): boolean {
    return !this.json && this.io.stderr.isTTY === true;
  }

  get columns(): number {
    return this.io.stderr.columns && this.io.stderr.columns > 20 ? this.io.stderr.columns : 80;
  }

  /** Rewrites the status line in place (terminal only). */
  status(line: string): void {
    if (this.live) this.io.stderr.write(`\r${line}\x1b[K`);
  }

  /** Ends the status line so the next output starts on its own line. */
  endStatus(): void {
    if (this.live) this.io.stderr.write('\n');
  }
}
