/** Where the model's trigger phrase goes in a prompt: `{trigger}` is replaced; without it, it is prefixed. */
export const TRIGGER_PLACEHOLDER = '{trigger}';

export function insertTriggerPhrase(prompt: string, triggerPhrase: string): string {
  if (!triggerPhrase) return prompt.split(TRIGGER_PLACEHOLDER).join('').trim();
  if (prompt.includes(TRIGGER_PLACEHOLDER)) return prompt.split(TRIGGER_PLACEHOLDER).join(triggerPhrase);
  return `${triggerPhrase}, ${prompt}`;
}
