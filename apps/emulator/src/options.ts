import { type Logger } from '@dreamqueue/logger';
import { DEFAULT_PYTHON } from './containers/container-backend';
import { type FaultRule } from './faults/fault-rule';

/** How to start an emulator. Durations marked "emulated" are multiplied by `timeScale`. */
export interface EmulatorOptions {
  /** Where s3rver keeps objects (under `s3/`) and pending trainings (under `trainings/`). */
  dataDir: string;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** Port of the published S3 endpoint; 0 picks a free one. @defaultValue 0 */
  s3Port?: number;
  /** Port of the SageMaker (runtime + DescribeEndpoint + `/_emulator/`) endpoint. @defaultValue 0 */
  runtimePort?: number;
  /** Bucket created at start; s3rver wants 3–63 characters. @defaultValue 'dreamqueue' */
  bucket?: string;
  /** @defaultValue 'dreamqueue-training' */
  trainingEndpoint?: string;
  /** @defaultValue 'dreamqueue-mme' */
  mmeEndpoint?: string;
  /** The MME's model data prefix: TargetModel is relative to it. @defaultValue 'mme-models/' */
  mmePrefix?: string;
  /** @defaultValue 'async/output/' */
  asyncOutputPrefix?: string;
  /** @defaultValue 'async/failures/' */
  asyncFailurePrefix?: string;
  /** Real seconds per emulated second: 0.01 makes a 1500 s training take 15 s. @defaultValue 1 */
  timeScale?: number;
  /** Emulated duration of one training. @defaultValue 1500 */
  trainingSeconds?: number;
  /** Trainings running at once; extra requests wait in the endpoint's queue. @defaultValue 2 */
  trainingConcurrency?: number;
  /** Emulated time to load a model on an MME instance. Over 60 s, callers get ModelNotReadyException. @defaultValue 90 */
  coldLoadSeconds?: number;
  /** Simulated MME instances, each with its own model_setup state and model cache. @defaultValue 1 */
  mmeInstances?: number;
  /** Loaded LoRA models per instance (LRU). @defaultValue 8 */
  modelsPerInstance?: number;
  /** Emulated ms per MME invocation. @defaultValue 1000 */
  fixedLatencyMs?: number;
  /** Emulated ms per generated image. @defaultValue 4000 */
  perImageLatencyMs?: number;
  /** Concurrent inferences per MME instance (the endpoint has `mmeInstances` times as many); beyond them, ThrottlingException. @defaultValue 4 */
  mmeCapacity?: number;
  /** Fault rules active from the start. @defaultValue [] */
  faults?: FaultRule[];
  /** Seed of the fault RNG: the same seed replays the same faults. @defaultValue 1 */
  seed?: number;
  /** When set, an SNS-style Notification is POSTed here when an async invocation completes or fails. */
  notifyUrl?: string;
  /**
   * What computes trainings and images: `synthetic` (the default: palette images, no Python) or
   * `containers` (the real DJL handler and Triton backends on a tiny Stable Diffusion, in the repository's
   * .venv). @defaultValue 'synthetic'
   */
  backend?: EmulatorBackend;
  /** The Python that runs the containers' code (`containers` backend). @defaultValue <repo>/.venv/bin/python */
  python?: string;
  /** `containers` backend: lowers each training's `n_steps` to this CPU budget (0: as asked). @defaultValue 0 */
  containersMaxSteps?: number;
  /** @defaultValue a pino logger named 'emulator' */
  logger?: Logger;
}

export const EMULATOR_BACKENDS = ['synthetic', 'containers'] as const;
export type EmulatorBackend = (typeof EMULATOR_BACKENDS)[number];

/** Settings that `configure()` and `PUT /_emulator/config` may change while running. */
export interface TunableSettings {
  timeScale: number;
  trainingSeconds: number;
  trainingConcurrency: number;
  coldLoadSeconds: number;
  modelsPerInstance: number;
  fixedLatencyMs: number;
  perImageLatencyMs: number;
  mmeCapacity: number;
  notifyUrl: string | undefined;
}

export type ResolvedOptions = Required<Omit<EmulatorOptions, 'notifyUrl' | 'logger' | keyof TunableSettings>> & {
  logger?: Logger;
};

export const TUNABLE_DEFAULTS: TunableSettings = {
  timeScale: 1,
  trainingSeconds: 1500,
  trainingConcurrency: 2,
  coldLoadSeconds: 90,
  modelsPerInstance: 8,
  fixedLatencyMs: 1000,
  perImageLatencyMs: 4000,
  mmeCapacity: 4,
  notifyUrl: undefined,
};

export function resolveOptions(options: EmulatorOptions): { fixed: ResolvedOptions; tunable: TunableSettings } {
  const fixed: ResolvedOptions = {
    dataDir: options.dataDir,
    host: options.host ?? '127.0.0.1',
    s3Port: options.s3Port ?? 0,
    runtimePort: options.runtimePort ?? 0,
    bucket: options.bucket ?? 'dreamqueue',
    trainingEndpoint: options.trainingEndpoint ?? 'dreamqueue-training',
    mmeEndpoint: options.mmeEndpoint ?? 'dreamqueue-mme',
    mmePrefix: options.mmePrefix ?? 'mme-models/',
    asyncOutputPrefix: options.asyncOutputPrefix ?? 'async/output/',
    asyncFailurePrefix: options.asyncFailurePrefix ?? 'async/failures/',
    mmeInstances: options.mmeInstances ?? 1,
    faults: options.faults ?? [],
    seed: options.seed ?? 1,
    backend: options.backend ?? 'synthetic',
    python: options.python ?? DEFAULT_PYTHON,
    containersMaxSteps: options.containersMaxSteps ?? 0,
    logger: options.logger,
  };
  const tunable: TunableSettings = { ...TUNABLE_DEFAULTS };
  for (const key of Object.keys(TUNABLE_DEFAULTS) as (keyof TunableSettings)[]) {
    if (options[key] !== undefined) Object.assign(tunable, { [key]: options[key] });
  }
  validateTunable(tunable);
  return { fixed, tunable };
}

/** Rejects settings that cannot work, naming the option. */
export function validateTunable(s: TunableSettings): void {
  const positive: (keyof TunableSettings)[] = ['timeScale', 'trainingConcurrency', 'modelsPerInstance', 'mmeCapacity'];
  for (const key of positive) {
    if (!(Number(s[key]) > 0)) throw new Error(`Emulator option ${key} must be > 0, got ${String(s[key])}`);
  }
  const nonNegative: (keyof TunableSettings)[] = [
    'trainingSeconds',
    'coldLoadSeconds',
    'fixedLatencyMs',
    'perImageLatencyMs',
  ];
  for (const key of nonNegative) {
    if (!(Number(s[key]) >= 0)) throw new Error(`Emulator option ${key} must be >= 0, got ${String(s[key])}`);
  }
}
