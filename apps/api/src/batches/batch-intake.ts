import { createHash } from 'node:crypto';
import { type Request } from 'express';
import { StringDecoder } from 'node:string_decoder';
import { BatchHeader, BatchItem, MAX_BATCH_ITEMS } from '@dreamqueue/contracts';
import { AppError, badRequest } from '@dreamqueue/errors';
import { fieldErrors } from '../generations/validation';

/** A validated batch: its header and items, held once in memory, plus a hash of the raw body (idempotency). */
export interface BatchIntake {
  header: BatchHeader;
  items: BatchItem[];
  bodyHash: string;
}

export interface ItemError {
  index: number;
  path: string;
  message: string;
}

/** Errors listed in a 400 at most; the count of all invalid items is given too. */
export const MAX_REPORTED_ERRORS = 20;
const MAX_LINE_BYTES = 16 * 1024;

/** Validates items one by one, keeping the first errors with their item index. */
export class ItemValidator {
  readonly items: BatchItem[] = [];
  readonly errors: ItemError[] = [];
  invalid = 0;

  add(index: number, raw: unknown): void {
    if (index >= MAX_BATCH_ITEMS) throw badRequest('too_many_items', `A batch holds at most ${MAX_BATCH_ITEMS} items.`);
    const parsed = BatchItem.safeParse(raw);
    if (parsed.success) return void this.items.push(parsed.data);
    this.reject(fieldErrors(parsed.error).map((e) => ({ index, ...e })));
  }

  reject(errors: ItemError[]): void {
    this.invalid += 1;
    for (const e of errors) if (this.errors.length < MAX_REPORTED_ERRORS) this.errors.push(e);
  }

  /** Throws `invalid_batch_items` (nothing enqueued) when any item was invalid, `empty_batch` for none. */
  finish(): BatchItem[] {
    if (this.invalid > 0) {
      throw badRequest(
        'invalid_batch_items',
        `${this.invalid} item(s) are invalid; nothing was queued. The first errors are listed.`,
        {
          invalidItems: this.invalid,
          errors: this.errors,
        },
      );
    }
    if (this.items.length === 0) throw badRequest('empty_batch', 'A batch needs at least one item.');
    return this.items;
  }
}

/** `{model, defaults, webhookUrl?, items: [...]}` parsed once by express.json (size-capped). */
export function readJsonBatch(body: unknown, bodyHash: string): BatchIntake {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('invalid_request', 'The body must be a JSON object.');
  const { items, ...rest } = body as { items?: unknown };
  const header = parseHeader(rest);
  if (!Array.isArray(items))
    throw badRequest('invalid_request', 'items must be an array of {prompt, negativePrompt?, seed?}.');
  const validator = new ItemValidator();
  items.forEach((item, index) => validator.add(index, item));
  return { header, items: validator.finish(), bodyHash };
}

/**
 * NDJSON: the first line is the header `{model, defaults, webhookUrl?}`, then one item per line. Read as a
 * stream: only validated items are kept, so the raw body is never held in full.
 */
export async function readNdjsonBatch(req: Request, maxBytes: number): Promise<BatchIntake> {
  const hash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  const validator = new ItemValidator();
  let header: BatchHeader | undefined;
  let pending = '';
  let bytes = 0;
  let index = 0;
  const line = (text: string) => {
    if (text.trim() === '') return;
    if (!header) return void (header = parseHeader(parseJsonLine(text, 'header')));
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      validator.reject([{ index, path: '(line)', message: 'the line is not valid JSON' }]);
      index += 1;
      return;
    }
    validator.add(index++, raw);
  };
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxBytes)
      throw new AppError('payload_too_large', `The batch stream exceeds ${maxBytes} bytes.`, { status: 413 });
    hash.update(chunk);
    pending += decoder.write(chunk);
    let start = 0;
    let newline: number;
    while ((newline = pending.indexOf('\n', start)) >= 0) {
      line(pending.slice(start, newline));
      start = newline + 1;
    }
    pending = pending.slice(start);
    if (pending.length > MAX_LINE_BYTES)
      throw badRequest('line_too_long', `Line ${index + 2} is longer than ${MAX_LINE_BYTES} bytes.`);
  }
  line(pending + decoder.end());
  if (!header)
    throw badRequest(
      'invalid_batch_header',
      'The stream is empty: the first line must be {"model": …, "defaults": {…}}.',
    );
  return { header, items: validator.finish(), bodyHash: hash.digest('hex') };
}

function parseHeader(raw: unknown): BatchHeader {
  const parsed = BatchHeader.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    throw badRequest(
      'invalid_batch_header',
      `Invalid batch header: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      { errors },
    );
  }
  return parsed.data;
}

function parseJsonLine(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('invalid_batch_header', `The ${what} line is not valid JSON.`);
  }
}
