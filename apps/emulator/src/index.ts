/**
 * @dreamqueue/emulator: a local, wire-compatible stand-in for SageMaker Runtime (async training endpoint
 * + multi-model endpoint), the SageMaker control plane's DescribeEndpoint, and S3 (s3rver behind a
 * fault-injecting proxy). See README.md. `main.ts` (the CLI) is deliberately not exported.
 */
export { startEmulator, type RunningEmulator } from './emulator';
export { type EmulatorOptions, type TunableSettings } from './options';
export { emulatorOptionsFromEnv, EmulatorEnvSchema } from './config';
export { buildArtifact, parseArtifact, type ModelDescription, type Rgb } from './model/artifact';
export { renderImage, dominantColour, meanColour, IMAGE_SIZE, type RenderParams } from './model/render-image';
export {
  type FaultRule,
  type FaultOp,
  type FaultError,
  FAULT_OPS,
  FAULT_ERRORS,
  parseFaultRules,
} from './faults/fault-rule';
export { type LedgerEntry, type LedgerOp } from './observe/ledger';
export { type EmulatorStats } from './observe/stats';
export { MAX_BATCH_SIZE } from './runtime/mme/kserve-request';
export { CONTROL_PREFIX } from './control/control.handler';
