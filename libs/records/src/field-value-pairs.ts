/**
 * A hash as the flat `field, value, field, value…` list a script's ARGV takes. A plain loop, because
 * `Array.prototype.flat` is slow in V8 (microseconds for one record) and this runs on every intake.
 */
export function fieldValuePairs(hash: Readonly<Record<string, string>>): string[] {
  const pairs: string[] = [];
  for (const field of Object.keys(hash)) pairs.push(field, hash[field]!);
  return pairs;
}
