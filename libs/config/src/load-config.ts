import { type z } from 'zod';
import { AppError } from '@dreamqueue/errors';

/**
 * Parses an app's environment once, at start-up. The message lists every bad variable by name so a
 * misconfigured deploy fails with one readable line per problem.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): Readonly<z.output<S>> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new AppError('invalid_config', `Invalid configuration:\n${problems.join('\n')}`, {
      details: parsed.error.issues,
    });
  }
  return Object.freeze(parsed.data);
}
