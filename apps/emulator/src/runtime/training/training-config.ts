/**
 * The trainer's `config.json` (docs/architecture.md, "The SageMaker contract"), checked exactly as the training container checks it
 * (containers/training/tar_input.py `parse_config`), with the same messages: the emulator writes what the
 * container writes (vector `training-failure.json`). Unknown keys are rejected rather than ignored: a typo
 * such as `nsteps` would otherwise train with defaults and nobody would notice.
 */
export type TrainingConfig = {
  n_steps: number;
  learning_rate: number;
  lora_r: number;
  lora_alpha: number;
  train_text_encoder: boolean;
  with_prior_preservation: boolean;
  class_prompt: string;
  num_class_images: number;
  concept_prompt: string;
  face_preprocessing: boolean;
};

type Kind = 'int' | 'number' | 'bool' | 'str';

/** key → (kind, minimum, maximum): tar_input.py CONFIG_SCHEMA. Strings are bounded by length. */
const SCHEMA: Record<keyof TrainingConfig, [Kind, number?, number?]> = {
  n_steps: ['int', 1, 10_000],
  learning_rate: ['number', 0, 1],
  lora_r: ['int', 1, 1024],
  lora_alpha: ['number', 0, 4096],
  train_text_encoder: ['bool'],
  with_prior_preservation: ['bool'],
  class_prompt: ['str', 1, 1000],
  num_class_images: ['int', 0, 1000],
  concept_prompt: ['str', 1, 1000],
  face_preprocessing: ['bool'],
};

/** Trainer defaults from the AWS guidance, filled in where config.json is silent. */
export const TRAINING_DEFAULTS: TrainingConfig = {
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

/** Parses config.json bytes; throws the container's reason, naming every bad key. */
export function parseTrainingConfig(data: Buffer): TrainingConfig {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    throw new Error('config.json is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('config.json must be a JSON object');
  }
  const value = json as Record<string, unknown>;
  const problems = Object.keys(value)
    .filter((key) => !(key in SCHEMA))
    .sort()
    .map((key) => `unknown key ${key}`);
  for (const [key, item] of Object.entries(value)) {
    if (key in SCHEMA) {
      const problem = checkValue(key as keyof TrainingConfig, item);
      if (problem) problems.push(problem);
    }
  }
  if (problems.length > 0) throw new Error(`config.json is invalid: ${problems.join('; ')}`);
  return { ...TRAINING_DEFAULTS, ...(value as Partial<TrainingConfig>) };
}

function checkValue(key: keyof TrainingConfig, item: unknown): string {
  const [kind, low, high] = SCHEMA[key];
  const got = pythonType(item);
  const accepted = kind === 'number' ? ['int', 'float'] : [kind];
  if (!accepted.includes(got)) return `${key}: expected ${kind === 'number' ? 'int' : kind}, got ${got}`;
  if (typeof item === 'string') {
    return item.length < low! || item.length > high! ? `${key}: length must be ${low}-${high}` : '';
  }
  if (typeof item === 'number' && low !== undefined && (item < low || item > high!)) {
    return `${key}: must be between ${low} and ${high}`;
  }
  if ((key === 'learning_rate' || key === 'lora_alpha') && (item as number) <= 0)
    return `${key}: must be greater than 0`;
  return '';
}

/** The name Python gives a parsed JSON value's type (the container's messages use it). */
function pythonType(item: unknown): string {
  if (typeof item === 'boolean') return 'bool';
  if (typeof item === 'number') return Number.isInteger(item) ? 'int' : 'float';
  if (typeof item === 'string') return 'str';
  if (item === null) return 'NoneType';
  return Array.isArray(item) ? 'list' : 'dict';
}
