import { type Redis } from 'ioredis';
import { type ModelStatus, type TrainingParams } from '@dreamqueue/contracts';
import { runScript, type KeySpace } from '@dreamqueue/redis';
import { ActiveIndex, activeIndexKey } from './active-index';
import { type EventLog } from './event-log';
import { quotaScriptArgs, tenantQuotaKeys, throwIfQuotaRefused, type QuotaLimits } from './tenant-quota';

/** A tenant's personal model, as stored. It lives in its own key, so it outlives the train job. */
export interface ModelRecord {
  id: string;
  tenantId: string;
  name: string;
  token: string;
  subjectClass: string;
  triggerPhrase: string;
  params: TrainingParams;
  photoCount: number;
  status: ModelStatus;
  /** 0–100, advanced by the train steps. */
  progress: number;
  /** ISO time each status was entered. */
  stages: Partial<Record<ModelStatus, string>>;
  createdAt: string;
  updatedAt: string;
  failureReason?: string;
  /** The MME `TargetModel`, once registered. */
  targetModel?: string;
  /**
   * The registered artifact's S3 ETag (recorded by the train `register` step), so a generation can pin the
   * exact weights without asking S3. Absent on models registered before it was recorded.
   */
  artifactEtag?: string;
  /** Artifact version; a retrained model would get a new name, never an overwrite. */
  version: number;
}

export interface TransitionResult {
  record: ModelRecord | undefined;
  /** False when the record is missing or the transition is not allowed from its current status. */
  changed: boolean;
}

export interface ListPage {
  items: ModelRecord[];
  nextCursor?: string;
}

const ORDER: Record<ModelStatus, number> = {
  queued: 0,
  preparing: 1,
  training: 2,
  registering: 3,
  ready: 4,
  failed: 5,
  canceled: 5,
  deleted: 6,
};
const ENDINGS: readonly ModelStatus[] = ['failed', 'canceled', 'deleted'];

/**
 * Forward only: a running model moves to a later stage or ends; an ended model can only be deleted —
 * except a failed one, which an operator "retry" of its train job revives from the job's checkpoint.
 */
export function canTransition(from: ModelStatus, to: ModelStatus): boolean {
  if (from === to || from === 'deleted') return false;
  if (from === 'failed') return to === 'deleted' || (ORDER[to] >= ORDER.preparing && ORDER[to] <= ORDER.ready);
  if (from === 'ready' || from === 'canceled') return to === 'deleted';
  return ENDINGS.includes(to) || ORDER[to] > ORDER[from];
}

export interface ModelStoreOptions {
  /** Operator-wide quota defaults for tenants without their own limits. @defaultValue unlimited */
  quotaDefaults?: QuotaLimits;
}

/**
 * Models in Redis: one JSON key per model and a per-tenant index sorted by creation time. Every status
 * change is a compare-and-set script (`compare-and-set-model-5.lua`) that also appends the `model.<status>`
 * event and moves the tenant's count of running trainings, so the record, the event log and the
 * concurrent-trainings quota never disagree.
 */
export class ModelStore {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    private readonly events: EventLog,
    private readonly options: ModelStoreOptions = {},
  ) {}

  key(tenantId: string, id: string): string {
    return this.keySpace.key('model', tenantId, id);
  }

  private indexKey(tenantId: string): string {
    return this.keySpace.key('models', tenantId);
  }

  /**
   * Writes the record, its index entries and the `model.queued` event in one step, if the tenant's
   * concurrent-trainings quota has room; otherwise throws the quota error and writes nothing.
   */
  async create(record: ModelRecord): Promise<void> {
    const { keys, args } = this.events.scriptArgs(record.tenantId, event(record));
    const quota = quotaScriptArgs(this.keySpace, record.tenantId, this.options.quotaDefaults);
    const reply = await runScript<unknown>(
      this.redis,
      'create-model-8',
      [
        this.key(record.tenantId, record.id),
        this.indexKey(record.tenantId),
        activeIndexKey(this.keySpace, 'model'),
        ...keys,
        ...quota.keys,
      ],
      [
        JSON.stringify(record),
        record.id,
        Date.parse(record.createdAt),
        ActiveIndex.member(record.tenantId, record.id),
        Date.parse(record.updatedAt),
        ...args,
        ...quota.args,
      ],
    );
    throwIfQuotaRefused(reply);
  }

  async get(tenantId: string, id: string): Promise<ModelRecord | undefined> {
    const raw = await this.redis.get(this.key(tenantId, id));
    return raw ? (JSON.parse(raw) as ModelRecord) : undefined;
  }

  /** Newest first; the cursor is an opaque offset. */
  async list(tenantId: string, limit: number, cursor?: string): Promise<ListPage> {
    const offset = cursor ? Number.parseInt(cursor, 10) || 0 : 0;
    const ids = await this.redis.zrevrange(this.indexKey(tenantId), offset, offset + limit);
    const page = ids.slice(0, limit);
    const raws = page.length > 0 ? await this.redis.mget(...page.map((id) => this.key(tenantId, id))) : [];
    const items = raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as ModelRecord);
    return { items, ...(ids.length > limit && { nextCursor: String(offset + limit) }) };
  }

  /**
   * Moves a model to `to` with its event, atomically; `patch` is merged into the record in the same write.
   * Not allowed (or missing) → `changed: false` and the current record.
   */
  async transition(
    tenantId: string,
    id: string,
    to: ModelStatus,
    patch: Partial<Pick<ModelRecord, 'failureReason' | 'targetModel' | 'artifactEtag' | 'progress'>> = {},
  ): Promise<TransitionResult> {
    return this.update(tenantId, id, (current) => {
      if (!canTransition(current.status, to)) return undefined;
      const now = new Date().toISOString();
      return { ...current, ...patch, status: to, updatedAt: now, stages: { ...current.stages, [to]: now } };
    });
  }

  /** Raises progress on a running model (never lowers it, never touches an ended one). No event. */
  async setProgress(tenantId: string, id: string, progress: number): Promise<void> {
    await this.update(
      tenantId,
      id,
      (current) =>
        isRunning(current.status) && progress > current.progress
          ? { ...current, progress: Math.min(100, Math.round(progress)) }
          : undefined,
      false,
    );
  }

  /**
   * Compare-and-set in one Lua call: the record changes only if nobody changed it since we read it, and
   * the event is appended in the same atomic step. (WATCH would need a connection per caller: the
   * connection here is shared by every job and request of the process.)
   */
  private async update(
    tenantId: string,
    id: string,
    change: (current: ModelRecord) => ModelRecord | undefined,
    emit = true,
  ): Promise<TransitionResult> {
    const key = this.key(tenantId, id);
    for (let attempt = 0; attempt < 50; attempt++) {
      const raw = await this.redis.get(key);
      const current = raw ? (JSON.parse(raw) as ModelRecord) : undefined;
      const next = current && change(current);
      if (!raw || !next) return { record: current, changed: false };
      const appended = emit ? this.events.scriptArgs(tenantId, event(next)) : this.events.noEventArgs(tenantId);
      // A running model stays in the active index (re-scored by each change); an ended one leaves it.
      const indexOp = isRunning(next.status) ? 'add' : 'rem';
      // A training counts against its tenant's quota while it runs: it stops counting when it ends, and
      // counts again when an operator revives a failed one.
      const running = Number(isRunning(next.status)) - Number(isRunning(current.status));
      const done = await runScript<number>(
        this.redis,
        'compare-and-set-model-5',
        [key, activeIndexKey(this.keySpace, 'model'), ...appended.keys, tenantQuotaKeys(this.keySpace, tenantId).usage],
        [raw, JSON.stringify(next), ActiveIndex.member(tenantId, id), indexOp, Date.now(), ...appended.args, running],
      );
      if (done === 1) return { record: next, changed: true };
    }
    throw new Error(`Model ${id} is changing too often to update`);
  }
}

export const isRunning = (status: ModelStatus) => ORDER[status] < ORDER.ready;

function event(record: ModelRecord) {
  return {
    type: `model.${record.status}`,
    resource: 'model' as const,
    resourceId: record.id,
    status: record.status,
    ...(record.failureReason && record.status === 'failed' && { data: { reason: record.failureReason } }),
  };
}
