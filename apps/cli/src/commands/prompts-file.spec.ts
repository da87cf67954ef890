import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPrompts } from './prompts-file';

describe('readPrompts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dq-prompts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const read = async (text: string) => {
    const file = join(dir, `p-${Math.random()}.txt`);
    writeFileSync(file, text);
    const items = [];
    for await (const item of readPrompts(file)) items.push(item);
    return items;
  };

  it('reads one prompt per line, skipping blank lines and # comments (CRLF too)', async () => {
    expect(await read('a knight\r\n\r\n# not a prompt\n  a wizard  \nlast line without newline')).toEqual([
      { prompt: 'a knight' },
      { prompt: 'a wizard' },
      { prompt: 'last line without newline' },
    ]);
  });

  it('takes JSON-object lines as items, and a prompt that only starts with a brace as a prompt', async () => {
    expect(await read('{"prompt":"a","seed":3}\n{trigger} as a pirate\n{trigger} in {city}\n')).toEqual([
      { prompt: 'a', seed: 3 },
      { prompt: '{trigger} as a pirate' },
      { prompt: '{trigger} in {city}' },
    ]);
  });
});
