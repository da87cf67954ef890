import pino, { type Logger, type LoggerOptions } from 'pino';

/**
 * Paths pino replaces with "[Redacted]". Credentials, API keys and presigned URLs are bearer secrets:
 * they must never reach a log line. Presigned URLs are additionally removed by `redactUrl`.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  // pino-http logs the parsed query string too: presigned-URL signatures and tokens travel there.
  'req.query',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'authorization',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'password',
  '*.password',
  'url',
  '*.url',
  'urls',
  '*.urls',
  'accessKeyId',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
];

export interface CreateLoggerOptions {
  name: string;
  /** @defaultValue 'info' */
  level?: string;
  /** Where lines go; tests pass a stream to assert on them. @defaultValue stdout */
  destination?: pino.DestinationStream;
  /**
   * Write to stdout asynchronously (pino's `sync: false`): lines logged while a write is in flight leave
   * together in the next one, so a process logging a line per request under load makes a fraction of the
   * system calls. What is still buffered is written synchronously when the process exits; only a SIGKILL
   * loses it. Ignored with `destination`.
   * @defaultValue false
   * @see https://getpino.io/#/docs/asynchronous
   */
  asyncStdout?: boolean;
}

export function createLogger({ name, level = 'info', destination, asyncStdout = false }: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    serializers: { err: pino.stdSerializers.err },
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination);
  return asyncStdout ? pino(options, pino.destination({ dest: 1, sync: false })) : pino(options);
}

/** Strips the query string (where SigV4 presigned URLs carry their signature) from a URL for logging. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?[Redacted]`;
}

export type { Logger };
