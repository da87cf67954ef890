import { parsePromptsFile } from '../src/prompts-file';

describe('parsePromptsFile', () => {
  it('reads one prompt per line, skipping blank lines, even when prompts start with {trigger}', () => {
    const parsed = parsePromptsFile('{trigger} as a knight\r\n\n  {trigger}, watercolor  \n');
    expect(parsed.format).toBe('lines');
    expect(parsed.items).toEqual([{ prompt: '{trigger} as a knight' }, { prompt: '{trigger}, watercolor' }]);
    expect(parsed.problems).toEqual([]);
  });

  it('reads NDJSON items with their negative prompt and seed, and names the lines it cannot read', () => {
    const parsed = parsePromptsFile(
      '\uFEFF{"prompt":"a","seed":7}\n{"prompt":"b","negativePrompt":"blurry"}\n{"seed":1}\nnot json\n',
    );
    expect(parsed.format).toBe('ndjson');
    expect(parsed.items).toEqual([
      { prompt: 'a', seed: 7 },
      { prompt: 'b', negativePrompt: 'blurry' },
    ]);
    expect(parsed.problems).toEqual([
      { line: 3, reason: 'expected a JSON object with a "prompt" string' },
      { line: 4, reason: 'not valid JSON' },
    ]);
  });

  it('an empty file has no items', () => {
    expect(parsePromptsFile('\n  \n').items).toEqual([]);
  });
});
