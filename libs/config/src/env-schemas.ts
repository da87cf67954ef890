import { z } from 'zod';

/** "true/false/1/0/yes/no/on/off" → boolean; anything else is a validation error naming the variable. */
export const boolEnv = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'expected true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

/** A comma-separated list; blanks are dropped. */
export const csvEnv = (defaultValue: string[] = []) =>
  z
    .string()
    .default(defaultValue.join(','))
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

/** An integer within bounds, coerced from the environment string. */
export const intEnv = (defaultValue: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(defaultValue);

/** A non-negative number (fractions allowed), e.g. a time scale. */
export const numberEnv = (defaultValue: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().min(min).max(max).default(defaultValue);

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** A duration such as "500ms", "30s", "5m", "1h" or a bare number of milliseconds → milliseconds. */
export const durationMs = (defaultValue: string) =>
  z
    .string()
    .default(defaultValue)
    .transform((v, ctx) => {
      const match = DURATION.exec(v.trim());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 500ms, 30s, 5m or 1h, got "${v}"` });
        return z.NEVER;
      }
      return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 'ms') as keyof typeof UNIT_MS]);
    });

/** A URL with one of the given protocols. */
export const urlEnv = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol.replace(':', ''));
      } catch {
        return false;
      }
    },
    `expected a ${protocols.join(' or ')} URL`,
  );
