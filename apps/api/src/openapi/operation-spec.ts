import { type z } from 'zod';

/** Who may call an operation; each adds its security requirement and its authentication errors. */
export type Access = 'public' | 'tenant' | 'operator' | 'admin' | 'metrics';

export interface ParameterSpec {
  in: 'path' | 'query' | 'header';
  name: string;
  schema: z.ZodType;
  required?: boolean;
  description?: string;
}

/** A body: a zod schema (turned into JSON Schema) or, for non-JSON media, a JSON Schema object as is. */
export type BodySchema = z.ZodType | { jsonSchema: Record<string, unknown> };

export interface ResponseSpec {
  description: string;
  /** Media type → schema; absent for an empty body (204). */
  content?: Record<string, BodySchema>;
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

/** One documented route: the OpenAPI operation is built from this, its schemas from zod. */
export interface OperationSpec {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI path template, e.g. `/v1/models/{id}`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  parameters?: ParameterSpec[];
  requestBody?: { description?: string; content: Record<string, BodySchema> };
  responses: Record<number, ResponseSpec>;
  /** Error statuses this operation answers and their stable codes (authentication errors are added by access). */
  errors?: Record<number, string[]>;
}
