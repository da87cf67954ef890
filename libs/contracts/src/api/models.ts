import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * The model resource as the API shows it, and the tuning parameters a client may set. Parameters are
 * camelCase on the wire and become the trainer's snake_case `config.json` (docs/architecture.md, "The SageMaker contract") in one place:
 * {@link trainerConfig}.
 */
export const MODEL_STATUSES = [
  'queued',
  'preparing',
  'training',
  'registering',
  'ready',
  'failed',
  'canceled',
  'deleted',
] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** States a model never leaves (except into `deleted`). */
export const TERMINAL_MODEL_STATUSES: readonly ModelStatus[] = ['ready', 'failed', 'canceled', 'deleted'];

/** How many photos a training takes. */
export const MODEL_PHOTOS = { min: 10, max: 15 } as const;

export const TrainingParams = z
  .object({
    /** Trainer steps (`n_steps`). */
    steps: z.number().int().min(100).max(5000).default(1000),
    learningRate: z.number().min(1e-6).max(1e-2).default(1e-4),
    /** LoRA rank (`lora_r`). */
    loraRank: z.number().int().min(4).max(256).default(128),
    /** LoRA alpha (`lora_alpha`); the rank when omitted. */
    loraAlpha: z.number().int().min(1).max(512).optional(),
    trainTextEncoder: z.boolean().default(true),
    /** Prior preservation with class images (`with_prior_preservation`). */
    priorPreservation: z.boolean().default(true),
    /** `a photo of <subjectClass>` when omitted. */
    classPrompt: z.string().trim().min(3).max(200).optional(),
    numClassImages: z.number().int().min(0).max(200).default(50),
    /** Crop to the face (true) or the centre (false) before training. */
    facePreprocessing: z.boolean().default(true),
  })
  .strict();
export type TrainingParams = z.output<typeof TrainingParams>;

/** The subject token the prompt uses to mean "this person"; `<<abcdef>>` style when the server picks it. */
export const subjectTokenSchema = z
  .string()
  .regex(
    /^(<<)?[a-z][a-z0-9]{2,23}(>>)?$/,
    'expected 3–24 lowercase letters/digits starting with a letter, optionally wrapped in << >>',
  );

export const subjectClassSchema = z
  .string()
  .trim()
  .regex(/^[a-z][a-z ]{1,31}$/, 'expected 2–32 lowercase letters or spaces, e.g. "person"');

export const modelNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/**
 * A fresh, unguessable token: six random letters in `<<…>>`, a string no prompt contains by accident. CLIP's
 * BPE splits it into several sub-word tokens (it is no single vocabulary entry); the fine-tune binds the
 * subject to that token sequence.
 */
export function newSubjectToken(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return `<<${Array.from(randomBytes(6), (b) => letters[b % letters.length]).join('')}>>`;
}

/** What a user writes in a prompt to get their subject: `photo of <token> <class>`. */
export const triggerPhrase = (token: string, subjectClass: string) => `photo of ${token} ${subjectClass}`;

/** The trainer's `config.json`, with exactly the keys the container reads. */
export function trainerConfig(
  params: TrainingParams,
  token: string,
  subjectClass: string,
): Record<string, string | number | boolean> {
  return {
    n_steps: params.steps,
    learning_rate: params.learningRate,
    lora_r: params.loraRank,
    lora_alpha: params.loraAlpha ?? params.loraRank,
    train_text_encoder: params.trainTextEncoder,
    with_prior_preservation: params.priorPreservation,
    class_prompt: params.classPrompt ?? `a photo of ${subjectClass}`,
    num_class_images: params.numClassImages,
    concept_prompt: `photo of ${token}`,
    face_preprocessing: params.facePreprocessing,
  };
}
