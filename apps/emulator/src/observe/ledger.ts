/** Operations the ledger records. */
export type LedgerOp =
  | 'InvokeEndpoint'
  | 'InvokeEndpointAsync'
  | 'PutObject'
  | 'CopyObject'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'CompleteMultipartUpload';

/** One recorded call, as a test or benchmark would want to audit it. */
export interface LedgerEntry {
  seq: number;
  /** ISO time the call arrived. */
  time: string;
  op: LedgerOp;
  /** `client` for calls through the published endpoints, `emulator` for the endpoint's own S3 writes. */
  source: 'client' | 'emulator';
  endpoint?: string;
  targetModel?: string;
  inferenceId?: string;
  customAttributes?: string;
  bucket?: string;
  key?: string;
  /** The SDK attempt number from `amz-sdk-request: attempt=<n>; max=<m>`. */
  attempt?: number;
  maxAttempts?: number;
  /** `ok`, or the error name answered (e.g. `ThrottlingException`, `SlowDown`). */
  outcome: string;
  status: number;
  /** For `InvokeEndpoint`: real ms from the request's arrival to its answer (what the worker's ledger measures from outside). */
  durationMs?: number;
}

/** Oldest entries are dropped beyond this, so a long benchmark cannot exhaust memory. */
const MAX_ENTRIES = 100_000;

export class Ledger {
  private entries: LedgerEntry[] = [];
  private seq = 0;
  private dropped = 0;

  record(entry: Omit<LedgerEntry, 'seq' | 'time'> & { time?: string }): void {
    this.entries.push({ ...entry, seq: ++this.seq, time: entry.time ?? new Date().toISOString() });
    if (this.entries.length > MAX_ENTRIES) {
      this.entries.shift();
      this.dropped += 1;
    }
  }

  list(): LedgerEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  droppedCount(): number {
    return this.dropped;
  }

  clear(): void {
    this.entries = [];
    this.dropped = 0;
  }
}

/** Parses `amz-sdk-request: attempt=2; max=3`. */
export function sdkAttempt(header: string | string[] | undefined): { attempt?: number; maxAttempts?: number } {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return {};
  const attempt = /attempt=(\d+)/.exec(value)?.[1];
  const max = /max=(\d+)/.exec(value)?.[1];
  return {
    ...(attempt !== undefined && { attempt: Number(attempt) }),
    ...(max !== undefined && { maxAttempts: Number(max) }),
  };
}
