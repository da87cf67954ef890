/**
 * The tuning parameters `POST /v1/models` accepts, with the API's limits and defaults
 * (libs/contracts/src/api/models.ts `TrainingParams`; training-limits.spec.ts fails when they differ).
 * Copied rather than imported: the contracts lib is Node code and the studio is a browser bundle.
 */
export interface NumberParam {
  key: 'steps' | 'learningRate' | 'loraRank' | 'loraAlpha' | 'numClassImages';
  label: string;
  min: number;
  max: number;
  step: number;
  default?: number;
  integer: boolean;
  help: string;
}

export interface BooleanParam {
  key: 'trainTextEncoder' | 'priorPreservation' | 'facePreprocessing';
  label: string;
  default: boolean;
  help: string;
}

export const NUMBER_PARAMS: NumberParam[] = [
  {
    key: 'steps',
    label: 'Training steps',
    min: 100,
    max: 5000,
    step: 100,
    default: 1000,
    integer: true,
    help: 'n_steps',
  },
  {
    key: 'learningRate',
    label: 'Learning rate',
    min: 1e-6,
    max: 1e-2,
    step: 1e-6,
    default: 1e-4,
    integer: false,
    help: 'learning_rate',
  },
  { key: 'loraRank', label: 'LoRA rank', min: 4, max: 256, step: 4, default: 128, integer: true, help: 'lora_r' },
  {
    key: 'loraAlpha',
    label: 'LoRA alpha',
    min: 1,
    max: 512,
    step: 1,
    integer: true,
    help: 'lora_alpha; the rank when empty',
  },
  {
    key: 'numClassImages',
    label: 'Class images',
    min: 0,
    max: 200,
    step: 1,
    default: 50,
    integer: true,
    help: 'num_class_images, for prior preservation',
  },
];

export const BOOLEAN_PARAMS: BooleanParam[] = [
  { key: 'trainTextEncoder', label: 'Train the text encoder', default: true, help: 'train_text_encoder' },
  { key: 'priorPreservation', label: 'Prior preservation', default: true, help: 'with_prior_preservation' },
  {
    key: 'facePreprocessing',
    label: 'Crop to the face',
    default: true,
    help: 'face_preprocessing; off crops the centre',
  },
];

export const CLASS_PROMPT = { min: 3, max: 200 } as const;
export const PHOTOS = { min: 10, max: 15 } as const;

/** Generation limits (libs/contracts/src/api/generations.ts). */
export const GENERATION_LIMITS = {
  steps: { min: 1, max: 150, default: 30 },
  guidance: { min: 0, max: 30, default: 7.5 },
  numImages: { min: 1, max: 8, default: 4 },
  seed: { min: 0, max: 2 ** 32 - 1 },
  promptMax: 1000,
} as const;
