import { type Logger } from '@dreamqueue/logger';
import { type Clock } from './clock';
import { type FaultInjector } from './faults/fault-injector';
import { type Ledger } from './observe/ledger';
import { type StatsRecorder } from './observe/stats';
import { type ResolvedOptions, type TunableSettings } from './options';
import { type MmeService } from './runtime/mme/mme.service';
import { type TrainingQueue } from './runtime/training/training-queue';
import { type TrainingRequest } from './runtime/training/training-request';

/** What the HTTP handlers share: built once by `startEmulator`, passed down (no module state). */
export interface EmulatorContext {
  options: ResolvedOptions;
  settings: TunableSettings;
  clock: Clock;
  faults: FaultInjector;
  ledger: Ledger;
  stats: StatsRecorder;
  mme: MmeService;
  trainings: TrainingQueue;
  /** Persists an accepted training so a restarted emulator resumes it. */
  persistTraining(request: TrainingRequest): void;
  logger: Logger;
  /** Applies a settings patch (validated); used by the control endpoint. */
  configure(patch: Partial<TunableSettings>): void;
  /** Clears stats, ledger and faults. */
  reset(): void;
}
