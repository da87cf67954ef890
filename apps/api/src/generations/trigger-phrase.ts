/**
 * Where the model's trigger phrase goes in a prompt: `{trigger}` is replaced; a prompt that already contains
 * the phrase is kept; otherwise the phrase is prefixed (`<phrase>, <prompt>`).
 */
export const TRIGGER_PLACEHOLDER = '{trigger}';

export function insertTriggerPhrase(prompt: string, triggerPhrase: string): string {
  if (!triggerPhrase) return prompt.split(TRIGGER_PLACEHOLDER).join('').trim();
  if (prompt.includes(TRIGGER_PLACEHOLDER)) return prompt.split(TRIGGER_PLACEHOLDER).join(triggerPhrase);
  if (prompt.includes(triggerPhrase)) return prompt;
  return `${triggerPhrase}, ${prompt}`;
}
