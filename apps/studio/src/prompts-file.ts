/** One prompt of a batch, as the API's NDJSON item lines take it. */
export interface PromptItem {
  prompt: string;
  negativePrompt?: string;
  seed?: number;
}

export interface ParsedPrompts {
  items: PromptItem[];
  format: 'lines' | 'ndjson';
  /** Lines the studio could not read (1-based), with why. */
  problems: { line: number; reason: string }[];
}

/**
 * Reads a prompts file: NDJSON (every non-blank line a JSON object with a `prompt`) or plain text (one
 * prompt per line). A file whose first non-blank line parses as a JSON object is read as NDJSON; a prompt
 * that merely starts with a brace (`{trigger} as …`) does not. Limits (length, control characters, count)
 * are the API's to enforce and report.
 */
export function parsePromptsFile(text: string): ParsedPrompts {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const first = lines.find((l) => l.trim() !== '')?.trim() ?? '';
  const format = isJsonObject(first) ? 'ndjson' : 'lines';
  const items: PromptItem[] = [];
  const problems: ParsedPrompts['problems'] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (format === 'lines') return void items.push({ prompt: line });
    try {
      const value = JSON.parse(line) as Record<string, unknown>;
      if (typeof value !== 'object' || value === null || typeof value.prompt !== 'string') {
        problems.push({ line: i + 1, reason: 'expected a JSON object with a "prompt" string' });
        return;
      }
      const item: PromptItem = { prompt: value.prompt };
      if (typeof value.negativePrompt === 'string') item.negativePrompt = value.negativePrompt;
      if (typeof value.seed === 'number') item.seed = value.seed;
      items.push(item);
    } catch {
      problems.push({ line: i + 1, reason: 'not valid JSON' });
    }
  });
  return { items, format, problems };
}

function isJsonObject(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
