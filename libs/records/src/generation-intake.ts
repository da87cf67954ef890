import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';
import { ActiveIndex, activeIndexKey } from './active-index';
import { type EventLog } from './event-log';
import {
  generationHashArgs,
  queuedEvent,
  queuedGeneration,
  type GenerationRecord,
  type GenerationStore,
  type NewGeneration,
} from './generation.store';
import { type ModelDemand } from './model-demand';
import { type ModelRecord, type ModelStore } from './model.store';
import { quotaScriptArgs, throwIfQuotaRefused, type QuotaLimits } from './tenant-quota';

/** A sorted-set range counted in the same step as the intake (the jobs its job will wait behind). */
export interface WaitingRange {
  key: string;
  /** Highest score counted, in ZCOUNT syntax (`(` for exclusive). */
  maxScore: string;
}

export type GenerationIntakeResult =
  /** `waitingAhead`: members of the `waiting` range counted just before the record was written. */
  | { created: true; record: GenerationRecord; waitingAhead: number }
  /** Nothing was written: the model is missing (`undefined`) or no longer what the record was built from. */
  | { created: false; model: ModelRecord | undefined };

/**
 * Creates a generation in one Redis step (`create-generation-10.lua`): the check that its model is still ready
 * and still the model the record was built from (TargetModel, artifact ETag, trigger phrase), the check and
 * take of the tenant's quotas (queued items, images per minute), the record, its active-index entry,
 * `generation.queued` and the model's demand counter, and the count of the jobs the generation's job will wait
 * behind (its queue position). So a model deleted or retrained meanwhile never gets a
 * generation built from its old state, concurrent requests never pass a quota, and a refused request writes
 * nothing.
 */
export class GenerationIntake {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    private readonly events: EventLog,
    private readonly stores: {
      generations: Pick<GenerationStore, 'key' | 'retentionSeconds'>;
      models: Pick<ModelStore, 'key'>;
      demand: Pick<ModelDemand, 'pendingKey' | 'idleSeconds'>;
    },
    private readonly options: { quotaDefaults?: QuotaLimits } = {},
  ) {}

  /**
   * `triggerPhrase` is the model's phrase the prompt was built with (`''` when it has none). `waiting` is
   * counted in the same script (one command, no pipeline): the caller's queue position. Over a quota this
   * throws the quota error.
   */
  async create(
    generation: NewGeneration,
    triggerPhrase: string,
    waiting: WaitingRange,
  ): Promise<GenerationIntakeResult> {
    const record = queuedGeneration(generation);
    const { generations, models, demand } = this.stores;
    // The event is dated by the record: one clock read and one ISO formatting (a few µs) per intake.
    const event = this.events.scriptArgs(record.tenantId, queuedEvent(record), record.createdAt);
    const quota = quotaScriptArgs(this.keySpace, record.tenantId, this.options.quotaDefaults);
    const reply = await runScript<unknown>(
      this.redis,
      'create-generation-10',
      [
        models.key(record.tenantId, record.modelId),
        generations.key(record.tenantId, record.id),
        activeIndexKey(this.keySpace, 'generation'),
        demand.pendingKey(),
        ...event.keys,
        ...quota.keys,
        waiting.key,
      ],
      [
        record.targetModel,
        record.artifactEtag,
        triggerPhrase,
        generations.retentionSeconds,
        Date.parse(record.createdAt),
        ActiveIndex.member(record.tenantId, record.id),
        demand.idleSeconds,
        ...event.args,
        ...quota.args,
        record.numImages,
        waiting.maxScore,
        ...generationHashArgs(record),
      ],
    );
    throwIfQuotaRefused(reply);
    const [outcome, detail] = reply as [number, string | number | null];
    if (outcome === -1) throw new Error(`Generation ${record.id} already exists`);
    if (outcome === 1) return { created: true, record, waitingAhead: detail as number };
    const model = detail as string | null;
    return { created: false, model: model ? (JSON.parse(model) as ModelRecord) : undefined };
  }
}
