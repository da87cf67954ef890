import { z } from 'zod';
import {
  modelNameSchema,
  newSubjectToken,
  subjectClassSchema,
  subjectTokenSchema,
  TrainingParams,
} from '@dreamqueue/contracts';
import { badRequest } from '@dreamqueue/errors';

export interface ModelRequest {
  name: string;
  subjectClass: string;
  token: string;
  params: TrainingParams;
}

const KNOWN_FIELDS = ['name', 'subjectClass', 'token', 'params'];

/** The text fields of `POST /v1/models` (besides `params`, a JSON object of {@link TrainingParams}). */
export const ModelFields = z.object({
  name: modelNameSchema,
  subjectClass: subjectClassSchema.default('person'),
  token: subjectTokenSchema.optional(),
});

/** Parses the text fields of `POST /v1/models`; every problem is listed under `details`. */
export function parseModelFields(fields: Record<string, string>): ModelRequest {
  const unknown = Object.keys(fields).filter((f) => !KNOWN_FIELDS.includes(f));
  if (unknown.length > 0) {
    throw badRequest(
      'invalid_params',
      `Unknown field(s): ${unknown.map((f) => f.slice(0, 40)).join(', ')}.`,
      unknown.map((f) => ({ field: f.slice(0, 40), reason: 'unknown field' })),
    );
  }
  const parsed = ModelFields.safeParse(fields);
  let rawParams: unknown = {};
  const problems: { field: string; reason: string }[] = [];
  if (!parsed.success)
    problems.push(...parsed.error.issues.map((i) => ({ field: i.path.join('.'), reason: i.message })));
  if (fields.params !== undefined && fields.params.trim() !== '') {
    try {
      rawParams = JSON.parse(fields.params);
    } catch {
      problems.push({ field: 'params', reason: 'must be a JSON object' });
    }
  }
  const params = TrainingParams.safeParse(rawParams);
  if (!params.success) {
    problems.push(
      ...params.error.issues.map((i) => ({
        field: ['params', ...i.path].join('.'),
        reason: i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.join(', ')}` : i.message,
      })),
    );
  }
  if (problems.length > 0 || !parsed.success || !params.success) {
    throw badRequest('invalid_params', `Invalid field(s): ${problems.map((p) => p.field).join(', ')}.`, problems);
  }
  return {
    name: parsed.data.name,
    subjectClass: parsed.data.subjectClass,
    token: parsed.data.token ?? newSubjectToken(),
    params: params.data,
  };
}
