import { type Redis } from 'ioredis';
import { runScript, type KeySpace, type PrioritizedJobWrite } from '@dreamqueue/redis';
import { ActiveIndex, activeIndexKey } from './active-index';
import { type EventLog } from './event-log';
import {
  generationHashJson,
  queuedEvent,
  queuedGeneration,
  type GenerationRecord,
  type GenerationStore,
  type NewGeneration,
} from './generation.store';
import { type ModelDemand } from './model-demand';
import { type ModelRecord, type ModelStore } from './model.store';
import { quotaScriptArgs, throwIfQuotaRefused, type QuotaLimits } from './tenant-quota';

export type GenerationIntakeResult =
  /** `waitingAhead`: the jobs waiting ahead of the generation's job (its rank among the prioritized jobs). */
  | { created: true; record: GenerationRecord; waitingAhead: number }
  /** Nothing was written: the model is missing (`undefined`) or no longer what the record was built from. */
  | { created: false; model: ModelRecord | undefined };

/**
 * Creates a generation in one Redis step (`create-generation-17.lua`): the check that its model is still ready
 * and still the model the record was built from (TargetModel, artifact ETag, trigger phrase), the check and
 * take of the tenant's quotas (queued items, images per minute), its BullMQ job (as `queue.add` would add
 * it, see `prioritizedJobWriter`), the record, its active-index entry, `generation.queued` and the model's
 * demand counter, and the job's rank (its queue position). So a model deleted or retrained meanwhile never
 * gets a generation built from its old state, concurrent requests never pass a quota, a refused request
 * writes nothing, and there is never a record without its job or a job without its record.
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
   * `triggerPhrase` is the model's phrase the prompt was built with (`''` when it has none). `job` is the
   * generation's job, written in the same script (one command, no pipeline) unless nothing is. Over a quota
   * this throws the quota error.
   */
  async create(
    generation: NewGeneration,
    triggerPhrase: string,
    job: PrioritizedJobWrite,
  ): Promise<GenerationIntakeResult> {
    const record = queuedGeneration(generation);
    const { generations, models, demand } = this.stores;
    // The event is dated by the record: one clock read and one ISO formatting (a few µs) per intake.
    const event = this.events.scriptArgs(record.tenantId, queuedEvent(record), record.createdAt);
    const quota = quotaScriptArgs(this.keySpace, record.tenantId, this.options.quotaDefaults);
    const reply = await runScript<unknown>(
      this.redis,
      'create-generation-17',
      [
        models.key(record.tenantId, record.modelId),
        generations.key(record.tenantId, record.id),
        activeIndexKey(this.keySpace, 'generation'),
        demand.pendingKey(),
        ...event.keys,
        ...quota.keys,
        ...job.keys,
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
        ...job.args,
        generationHashJson(record),
      ],
    );
    throwIfQuotaRefused(reply);
    const [outcome, detail] = reply as [number, string | number | null];
    if (outcome === -1) throw new Error(`Generation ${record.id} or its job already exists`);
    if (outcome === 1) return { created: true, record, waitingAhead: detail as number };
    const model = detail as string | null;
    return { created: false, model: model ? (JSON.parse(model) as ModelRecord) : undefined };
  }
}
