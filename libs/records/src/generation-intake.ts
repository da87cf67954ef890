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

export type GenerationIntakeResult =
  | { created: true; record: GenerationRecord }
  /** Nothing was written: the model is missing (`undefined`) or no longer what the record was built from. */
  | { created: false; model: ModelRecord | undefined };

/**
 * Creates a generation in one Redis step (`create-generation-6.lua`): the check that its model is still ready
 * and still the model the record was built from (TargetModel, artifact ETag, trigger phrase), the record, its
 * active-index entry, `generation.queued` and the model's demand counter. So a model deleted or retrained
 * meanwhile never gets a generation built from its old state, and a refused request writes nothing.
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
  ) {}

  /** `triggerPhrase` is the model's phrase the prompt was built with (`''` when it has none). */
  async create(generation: NewGeneration, triggerPhrase: string): Promise<GenerationIntakeResult> {
    const record = queuedGeneration(generation);
    const { generations, models, demand } = this.stores;
    const event = this.events.scriptArgs(record.tenantId, queuedEvent(record));
    const [outcome, model] = await runScript<[number, string | null]>(
      this.redis,
      'create-generation-6',
      [
        models.key(record.tenantId, record.modelId),
        generations.key(record.tenantId, record.id),
        activeIndexKey(this.keySpace, 'generation'),
        demand.pendingKey(),
        ...event.keys,
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
        ...generationHashArgs(record),
      ],
    );
    if (outcome === -1) throw new Error(`Generation ${record.id} already exists`);
    if (outcome === 1) return { created: true, record };
    return { created: false, model: model ? (JSON.parse(model) as ModelRecord) : undefined };
  }
}
