import { z } from 'zod';

/**
 * The trainer's `config.json` (DESIGN.md §7). Unknown keys are rejected rather than ignored: a typo such
 * as `nsteps` would otherwise train with defaults and nobody would notice.
 */
export const TrainingConfigSchema = z
  .object({
    n_steps: z.number().int().min(1).max(10_000),
    learning_rate: z.number().gt(0).max(1),
    lora_r: z.number().int().min(1).max(1024),
    lora_alpha: z.number().gt(0).max(4096),
    train_text_encoder: z.boolean(),
    with_prior_preservation: z.boolean(),
    class_prompt: z.string().min(1).max(1000),
    num_class_images: z.number().int().min(0).max(1000),
    concept_prompt: z.string().min(1).max(1000),
    face_preprocessing: z.boolean(),
  })
  .partial()
  .strict();
export type TrainingConfig = z.infer<typeof TrainingConfigSchema>;

/** Trainer defaults from the AWS guidance, filled in where config.json is silent. */
export const TRAINING_DEFAULTS: Required<TrainingConfig> = {
  n_steps: 1000,
  learning_rate: 1e-4,
  lora_r: 128,
  lora_alpha: 128,
  train_text_encoder: true,
  with_prior_preservation: true,
  class_prompt: 'a photo of person',
  num_class_images: 50,
  concept_prompt: 'photo of <<TOK>>',
  face_preprocessing: true,
};

/** Parses config.json bytes; throws a readable reason naming the bad key. */
export function parseTrainingConfig(data: Buffer): Required<TrainingConfig> {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    throw new Error('config.json is not valid JSON');
  }
  const parsed = TrainingConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.join(', ')}` : `${i.path.join('.')}: ${i.message}`,
    );
    throw new Error(`config.json is invalid: ${problems.join('; ')}`);
  }
  return { ...TRAINING_DEFAULTS, ...parsed.data };
}
