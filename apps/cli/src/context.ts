import { DreamqueueClient } from '@dreamqueue/client';
import { resolveConfig, type ResolvedConfig } from './config/resolve-config';
import { CliError, EXIT } from './exit-codes';
import { type Output, type Io } from './output/output';

export interface WatchTarget {
  kind: 'model' | 'generation' | 'batch';
  id: string;
  /** The command that watches it again. */
  resume: string;
}

/** What every command gets: where to write, the API client (configured on first use), and Ctrl-C. */
export class CommandContext {
  private configured?: { config: ResolvedConfig; client: DreamqueueClient };

  constructor(
    readonly io: Io,
    readonly out: Output,
    /** Aborted by Ctrl-C while watching. */
    readonly interrupted: AbortSignal,
    /** Tells the Ctrl-C handler whether a watch is running (then Ctrl-C stops it rather than the process). */
    private readonly setWatching: (active: boolean) => void = () => undefined,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get config(): ResolvedConfig {
    return this.connect().config;
  }

  get client(): DreamqueueClient {
    return this.connect().client;
  }

  get fetch(): typeof fetch {
    return this.fetchImpl;
  }

  private connect() {
    if (!this.configured) {
      const config = resolveConfig(this.io.env, (line) => this.out.note(line));
      const client = new DreamqueueClient({ baseUrl: config.url, apiKey: config.apiKey, fetch: this.fetchImpl });
      this.configured = { config, client };
    }
    return this.configured;
  }

  /**
   * Runs `watch` until it finishes. Ctrl-C stops watching (the work goes on on the server: nothing is
   * canceled) and says so; `timeoutSeconds` stops it the same way with its own exit code.
   */
  async watch<T>(
    target: WatchTarget,
    timeoutSeconds: number | undefined,
    watch: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const timeout = timeoutSeconds ? AbortSignal.timeout(timeoutSeconds * 1000) : undefined;
    const signal = timeout ? AbortSignal.any([this.interrupted, timeout]) : this.interrupted;
    this.setWatching(true);
    try {
      return await watch(signal);
    } catch (err) {
      if (!signal.aborted) throw err;
      this.out.endStatus();
      if (!target.id)
        throw new CliError(EXIT.interrupted, 'Interrupted before anything was queued.', {
          code: 'interrupted',
          message: 'Interrupted before anything was queued',
        });
      const why = this.interrupted.aborted ? 'Stopped watching.' : `Stopped watching after ${timeoutSeconds}s.`;
      const what = `${target.kind[0]!.toUpperCase()}${target.kind.slice(1)} ${target.id}`;
      throw new CliError(
        this.interrupted.aborted ? EXIT.interrupted : EXIT.timeout,
        [
          `${why} ${what} goes on on the server (nothing was canceled).`,
          `  watch it again: ${target.resume}`,
          `  cancel it:      dreamqueue cancel ${target.id}`,
        ].join('\n'),
        { code: this.interrupted.aborted ? 'interrupted' : 'timeout', message: `${why} ${what} goes on on the server` },
      );
    } finally {
      this.setWatching(false);
    }
  }
}
