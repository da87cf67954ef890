import { z } from 'zod';
import { type BodySchema, type ParameterSpec } from '../operation-spec';

export const idempotencyKey: ParameterSpec = {
  in: 'header',
  name: 'Idempotency-Key',
  schema: z.string().min(1).max(255),
  description:
    'Makes a retried create safe: the same key with the same request answers the first response (with `idempotent-replayed: true`) instead of creating twice.',
};

export const pathId = (name: string, schema: z.ZodType): ParameterSpec => ({
  in: 'path',
  name,
  schema,
  required: true,
});

/** `{ 'application/json': schema }` */
export const json = (schema: BodySchema): Record<string, BodySchema> => ({ 'application/json': schema });
