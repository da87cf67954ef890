import { z } from 'zod';

/** Triton's `max_batch_size` for the LoRA model (docs/architecture.md, "The SageMaker contract"). */
export const MAX_BATCH_SIZE = 8;
const INPUT_NAMES = ['prompt', 'negative_prompt', 'gen_args'] as const;

/** One row of a generation batch. */
export interface GenerationRow {
  prompt: string;
  negativePrompt: string;
  seed: number;
  steps: number;
  guidance: number;
}

/** The model rejected its input: SageMaker reports it as ModelError with the container's 400. */
export class KServeInputError extends Error {
  override readonly name = 'KServeInputError';
}

const TensorSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int()),
  datatype: z.string(),
  data: z.array(z.string()),
});
const BodySchema = z.object({ inputs: z.array(TensorSchema).min(1) });

const GenArgsSchema = z
  .object({
    // The LoRA backend's GEN_ARG_LIMITS (containers/mme/lora/1/model.py).
    num_inference_steps: z.number().int().min(1).max(150),
    guidance_scale: z.number().min(0).max(30),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
  })
  .strict();

/**
 * Parses a KServe v2 request as the LoRA model would: all three BYTES inputs of shape [N,1], the same N
 * for each, 1 ≤ N ≤ 8, and gen_args rows that are JSON with exactly the three generation parameters.
 */
export function parseGenerationRequest(body: Buffer): GenerationRow[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new KServeInputError('request body is not valid JSON');
  }
  const parsed = BodySchema.safeParse(json);
  if (!parsed.success)
    throw new KServeInputError(`request is not a KServe v2 inference request: ${issue(parsed.error)}`);
  const byName = new Map(parsed.data.inputs.map((t) => [t.name, t]));
  const unknown = [...byName.keys()].filter((n) => !(INPUT_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new KServeInputError(`unexpected input(s): ${unknown.join(', ')}`);
  const tensors = INPUT_NAMES.map((name) => {
    const tensor = byName.get(name);
    if (!tensor) throw new KServeInputError(`missing input '${name}'`);
    if (tensor.datatype !== 'BYTES') throw new KServeInputError(`input '${name}' must have datatype BYTES`);
    if (tensor.shape.length !== 2 || tensor.shape[1] !== 1 || tensor.shape[0] !== tensor.data.length) {
      throw new KServeInputError(`input '${name}' must have shape [N,1] matching its ${tensor.data.length} data rows`);
    }
    return tensor.data;
  });
  const [prompts, negatives, genArgs] = tensors;
  const n = prompts.length;
  if (tensors.some((t) => t.length !== n)) {
    throw new KServeInputError(`inputs must have the same batch size, got ${tensors.map((t) => t.length).join(', ')}`);
  }
  if (n < 1) throw new KServeInputError('batch size must be at least 1');
  if (n > MAX_BATCH_SIZE) throw new KServeInputError(`batch size ${n} exceeds max_batch_size ${MAX_BATCH_SIZE}`);
  return prompts.map((prompt, i) => ({ prompt, negativePrompt: negatives[i], ...parseGenArgs(genArgs[i], i) }));
}

function parseGenArgs(row: string, index: number): Pick<GenerationRow, 'seed' | 'steps' | 'guidance'> {
  let json: unknown;
  try {
    json = JSON.parse(row);
  } catch {
    throw new KServeInputError(`gen_args row ${index} is not JSON`);
  }
  const parsed = GenArgsSchema.safeParse(json);
  if (!parsed.success) throw new KServeInputError(`gen_args row ${index} is invalid: ${issue(parsed.error)}`);
  return { seed: parsed.data.seed, steps: parsed.data.num_inference_steps, guidance: parsed.data.guidance_scale };
}

function issue(error: z.ZodError): string {
  return error.issues
    .map((i) =>
      i.code === 'unrecognized_keys'
        ? `unknown key(s) ${i.keys.join(', ')}`
        : `${i.path.join('.') || 'body'}: ${i.message}`,
    )
    .join('; ');
}
