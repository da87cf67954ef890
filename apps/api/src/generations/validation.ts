import { type z } from 'zod';
import { badRequest } from '@dreamqueue/errors';

/** Field errors as `{path, message}` pairs for a 400 `details`. */
export function fieldErrors(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown, code = 'invalid_request'): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    throw badRequest(code, `Invalid request: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
  }
  return parsed.data;
}

/** A random 32-bit seed (recorded, so the images can be reproduced). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
