import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type BatchItem } from '@dreamqueue/client';
import { CliError, EXIT } from '../exit-codes';

/** A line that is a JSON object is an item; anything else (`{trigger} as a knight` too) is a prompt. */
function jsonItem(line: string): BatchItem | undefined {
  if (!line.startsWith('{') || !line.endsWith('}')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as BatchItem) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A prompts file, read line by line (never whole): one prompt per line, or NDJSON items
 * (`{"prompt": …, "negativePrompt"?: …, "seed"?: …}`); blank lines and `#` comments are skipped. The API
 * validates every item and rejects the batch, naming the item indexes, if any is invalid.
 */
export async function* readPrompts(path: string): AsyncGenerator<BatchItem> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      yield jsonItem(line) ?? { prompt: line };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(EXIT.usage, `${path} does not exist.`);
    throw err;
  }
}
