import { insertTriggerPhrase } from './trigger-phrase';

describe('insertTriggerPhrase', () => {
  const phrase = 'photo of <<kqzvmw>> person';
  it('replaces every {trigger} placeholder', () => {
    expect(insertTriggerPhrase('{trigger} as an astronaut, {trigger} smiling', phrase)).toBe(
      `${phrase} as an astronaut, ${phrase} smiling`,
    );
  });
  it('keeps a prompt that already names the phrase', () => {
    expect(insertTriggerPhrase(`${phrase} in Paris`, phrase)).toBe(`${phrase} in Paris`);
  });
  it('prefixes the phrase otherwise', () => {
    expect(insertTriggerPhrase('in a forest', phrase)).toBe(`${phrase}, in a forest`);
  });
});
