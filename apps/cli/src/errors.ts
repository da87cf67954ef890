import { DreamqueueApiError } from '@dreamqueue/client';
import { CliError, EXIT } from './exit-codes';

/** Any failure as a CliError: its exit code, a message for people, and the body --json prints. */
export function toCliError(err: unknown, url: string | undefined): CliError {
  if (err instanceof CliError) return err;
  // An error raised while streaming a request body (reading the prompts file) arrives as fetch's cause.
  if ((err as { cause?: unknown })?.cause instanceof CliError) return (err as { cause: CliError }).cause;
  if (err instanceof DreamqueueApiError) {
    const exit =
      err.status === 401 || err.status === 403
        ? EXIT.config
        : err.status === 429 || err.status >= 500
          ? EXIT.unavailable
          : EXIT.rejected;
    const hint = err.status === 401 ? '\nCheck DREAMQUEUE_API_KEY, or run `dreamqueue login` again.' : '';
    return new CliError(exit, `${err.code}: ${err.message}${detailLines(err.details)}${hint}`, {
      code: err.code,
      message: err.message,
      ...(err.details !== undefined && { details: err.details }),
    });
  }
  const cause = (err as { cause?: { code?: string } })?.cause;
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) {
    const where = url ?? 'the API';
    return new CliError(
      EXIT.unavailable,
      `Could not reach ${where}${cause?.code ? ` (${cause.code})` : ''}. Is dreamqueue running (npm start), and is DREAMQUEUE_URL right?`,
      { code: 'unreachable', message: `Could not reach ${where}` },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(EXIT.internal, `unexpected error: ${message}`, { code: 'internal', message });
}

type Detail = {
  index?: number;
  file?: string;
  field?: string;
  path?: string;
  code?: string;
  reason?: string;
  message?: string;
};

/** The API's per-photo, per-field or per-item reasons, one line each. */
function detailLines(details: unknown): string {
  const list = Array.isArray(details)
    ? details
    : Array.isArray((details as { errors?: unknown })?.errors)
      ? (details as { errors: unknown[] }).errors
      : undefined;
  if (!list) return '';
  const lines = (list as Detail[]).map((d) => {
    const where = d.file ?? (d.index !== undefined ? `item ${d.index}` : undefined) ?? d.field ?? d.path ?? '';
    const what = [d.code, d.reason ?? d.message].filter(Boolean).join(' — ');
    return `  - ${[where, d.path && d.file === undefined && d.index !== undefined ? d.path : undefined].filter(Boolean).join(' ')}: ${what}`;
  });
  return `\n${lines.join('\n')}`;
}
