import { z } from 'zod';
import { idSchema } from '../ids';
import { MAX_BATCH_SIZE } from '../queues/generate.queue';

/**
 * Request bodies of the generation API (`POST /v1/generations`, `POST /v1/batches`). The API validates with
 * these; the typed client and benchmarks build requests from the same types.
 */
export const MAX_PROMPT_LENGTH = 1_000;
export const MAX_BATCH_ITEMS = 100_000;
export const MAX_SEED = 2 ** 32 - 1;

// C0 and C1 control characters (newline and tab included): prompts are one line of text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

const text = (what: string, min: number) =>
  z
    .string({ message: `${what} must be a string` })
    .min(min, `${what} must not be empty`)
    .max(MAX_PROMPT_LENGTH, `${what} must be at most ${MAX_PROMPT_LENGTH} characters`)
    .refine((v) => !CONTROL_CHARACTERS.test(v), `${what} must not contain control characters`);

export const promptSchema = text('prompt', 1);
export const negativePromptSchema = text('negativePrompt', 0);
export const seedSchema = z.number().int('seed must be an integer').min(0).max(MAX_SEED);
export const stepsSchema = z.number().int('steps must be an integer').min(1).max(150);
export const guidanceSchema = z.number().min(0).max(30);

export const GenerationRequest = z
  .object({
    model: idSchema('model'),
    prompt: promptSchema,
    negativePrompt: negativePromptSchema.default(''),
    numImages: z.number().int().min(1).max(MAX_BATCH_SIZE, `numImages must be at most ${MAX_BATCH_SIZE}`).default(1),
    steps: stepsSchema.default(30),
    guidance: guidanceSchema.default(7.5),
    /** Absent → the server draws one and records it; images use seed, seed+1, … */
    seed: seedSchema.optional(),
    webhookUrl: z.string().max(2048).optional(),
    /** ISO 8601 instant after which the generation is worthless (it becomes `expired`). */
    deadline: z.iso.datetime({ offset: true, message: 'deadline must be an ISO 8601 date-time' }).optional(),
  })
  .strict();
export type GenerationRequest = z.output<typeof GenerationRequest>;

export const BatchDefaults = z
  .object({
    negativePrompt: negativePromptSchema.default(''),
    steps: stepsSchema.default(30),
    guidance: guidanceSchema.default(7.5),
  })
  .strict();
export type BatchDefaults = z.output<typeof BatchDefaults>;

export const BatchItem = z
  .object({
    prompt: promptSchema,
    negativePrompt: negativePromptSchema.optional(),
    seed: seedSchema.optional(),
  })
  .strict();
export type BatchItem = z.output<typeof BatchItem>;

/** The NDJSON header line, and the JSON body without its items. */
export const BatchHeader = z
  .object({
    model: idSchema('model'),
    defaults: BatchDefaults.default({ negativePrompt: '', steps: 30, guidance: 7.5 }),
    webhookUrl: z.string().max(2048).optional(),
  })
  .strict();
export type BatchHeader = z.output<typeof BatchHeader>;
