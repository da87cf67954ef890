import { intEnv, loadConfig, numberEnv, urlEnv } from '@dreamqueue/config';
import { z } from 'zod';
import { parseFaultRules } from './faults/fault-rule';
import { EMULATOR_BACKENDS, type EmulatorOptions } from './options';

/**
 * The emulator's environment. Defaults suit `npm run emulator` / `npm start`: fixed ports, data under
 * `.data/emulator`, and a time scale of 0.01 so a 1500 s training takes 15 s on a laptop.
 */
export const EmulatorEnvSchema = z.object({
  EMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  EMULATOR_S3_PORT: intEnv(4568, 0, 65535),
  EMULATOR_SAGEMAKER_PORT: intEnv(4569, 0, 65535),
  EMULATOR_DATA_DIR: z.string().min(1).default('.data/emulator'),
  S3_BUCKET: z
    .string()
    .min(3, 'S3_BUCKET must be 3-63 characters (s3rver rejects shorter names)')
    .max(63)
    .default('dreamqueue'),
  TRAINING_ENDPOINT: z.string().min(1).default('dreamqueue-training'),
  MME_ENDPOINT: z.string().min(1).default('dreamqueue-mme'),
  MME_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9._-]+\/)*$/, 'MME_PREFIX must be a key prefix ending in "/" (or empty)')
    .default('mme-models/'),
  EMULATOR_TIME_SCALE: numberEnv(0.01, 1e-6, 1000),
  EMULATOR_TRAINING_SECONDS: numberEnv(1500),
  EMULATOR_COLD_LOAD_SECONDS: numberEnv(90, 0, 360),
  EMULATOR_MME_INSTANCES: intEnv(1, 1, 64),
  EMULATOR_MME_CAPACITY: intEnv(4, 1, 10_000),
  EMULATOR_FIXED_LATENCY_MS: numberEnv(1000),
  EMULATOR_PER_IMAGE_LATENCY_MS: numberEnv(4000),
  EMULATOR_FAULTS: z
    .string()
    .default('[]')
    .transform((value, ctx) => {
      try {
        return parseFaultRules(JSON.parse(value));
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `EMULATOR_FAULTS must be a JSON array of fault rules: ${(err as Error).message}`,
        });
        return z.NEVER;
      }
    }),
  EMULATOR_SEED: intEnv(1, 0, 2 ** 32 - 1),
  EMULATOR_NOTIFY_URL: urlEnv(['http', 'https']).optional(),
  EMULATOR_BACKEND: z.enum(EMULATOR_BACKENDS).default('synthetic'),
  EMULATOR_PYTHON: z.string().min(1).optional(),
  EMULATOR_CONTAINERS_MAX_STEPS: intEnv(0, 0, 10_000),
});

/** Builds start options from environment variables (pure: pass `process.env` from main.ts). */
export function emulatorOptionsFromEnv(env: NodeJS.ProcessEnv): EmulatorOptions {
  const c = loadConfig(EmulatorEnvSchema, env);
  return {
    host: c.EMULATOR_HOST,
    s3Port: c.EMULATOR_S3_PORT,
    runtimePort: c.EMULATOR_SAGEMAKER_PORT,
    dataDir: c.EMULATOR_DATA_DIR,
    bucket: c.S3_BUCKET,
    trainingEndpoint: c.TRAINING_ENDPOINT,
    mmeEndpoint: c.MME_ENDPOINT,
    mmePrefix: c.MME_PREFIX,
    timeScale: c.EMULATOR_TIME_SCALE,
    trainingSeconds: c.EMULATOR_TRAINING_SECONDS,
    coldLoadSeconds: c.EMULATOR_COLD_LOAD_SECONDS,
    mmeInstances: c.EMULATOR_MME_INSTANCES,
    mmeCapacity: c.EMULATOR_MME_CAPACITY,
    fixedLatencyMs: c.EMULATOR_FIXED_LATENCY_MS,
    perImageLatencyMs: c.EMULATOR_PER_IMAGE_LATENCY_MS,
    faults: c.EMULATOR_FAULTS,
    seed: c.EMULATOR_SEED,
    notifyUrl: c.EMULATOR_NOTIFY_URL,
    backend: c.EMULATOR_BACKEND,
    python: c.EMULATOR_PYTHON,
    containersMaxSteps: c.EMULATOR_CONTAINERS_MAX_STEPS,
  };
}
