import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';
import { ActiveIndex, activeIndexKey } from './active-index';
import { type EventLog } from './event-log';
import { fieldValuePairs } from './field-value-pairs';
import { guardedUpdate } from './guarded-update';
import { quotaScriptArgs, tenantQuotaKeys, throwIfQuotaRefused, type QuotaLimits } from './tenant-quota';

/**
 * Durable state of one batch (`bat_…`): settings shared by every item, counters by state, and each item's
 * terminal state in its own hash — so progress survives job retention and a batch finishes exactly once
 * even when its last jobs complete at the same time or are retried.
 */
export const BATCH_STATUSES = ['queued', 'running', 'completed', 'canceled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export interface BatchRecord {
  id: string;
  tenantId: string;
  modelId: string;
  targetModel: string;
  artifactEtag: string;
  total: number;
  steps: number;
  guidance: number;
  status: BatchStatus;
  /** 0 for the first run; each retry-failed adds one (job ids carry it). */
  round: number;
  /** Jobs enqueued for the current round (ids `<batch>-<n>` or `<batch>-r<round>-<n>`, n < chunks). */
  chunks: number;
  succeeded: number;
  failed: number;
  canceled: number;
  createdAt: string;
  startedAt?: number;
  finishedAt?: string;
  manifestKey?: string;
  /** Hash of the intake request that created the batch: a retried intake resumes only the same request. */
  intakeHash?: string;
  /** GPU milliseconds its invocations used so far (the cost ledger adds each invocation once). */
  gpuMs?: number;
}

export type NewBatch = Pick<
  BatchRecord,
  'id' | 'tenantId' | 'modelId' | 'targetModel' | 'artifactEtag' | 'total' | 'steps' | 'guidance' | 'intakeHash'
>;

export type ItemState = 'succeeded' | 'failed' | 'canceled';

export interface ItemOutcome {
  index: number;
  state: ItemState;
  seed: number;
  /** For failures: a readable reason, and what is needed to run the item again (retry-failed). */
  error?: { code: string; message: string };
  retry?: { prompt: string; negativePrompt: string; seed: number };
}

export interface RecordResult {
  /** True for the caller that must write the manifest and complete the batch. */
  finalize: boolean;
  progressDue: boolean;
  counts: { succeeded: number; failed: number; canceled: number; total: number };
  status: BatchStatus;
  round: number;
}

export interface ManifestItem {
  index: number;
  status: ItemState | 'pending';
  seed?: number;
  error?: { code: string; message: string };
}

export interface BatchStoreOptions {
  /** How long batch records and item states are kept. @defaultValue 30 days */
  retentionSeconds?: number;
  /** Minimum time between two `batch.progress` events of one batch. @defaultValue 2000 */
  progressIntervalMs?: number;
  /** Operator-wide quota defaults for tenants without their own limits. @defaultValue unlimited */
  quotaDefaults?: QuotaLimits;
}

const STATE_CODE: Record<ItemState, string> = { succeeded: 's', failed: 'f', canceled: 'c' };
const CODE_STATE: Record<string, ItemState> = { s: 'succeeded', f: 'failed', c: 'canceled' };

export class BatchStore {
  private readonly retentionSeconds: number;
  private readonly progressIntervalMs: number;
  private readonly quotaDefaults: QuotaLimits;

  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    private readonly events: EventLog,
    options: BatchStoreOptions = {},
  ) {
    this.retentionSeconds = options.retentionSeconds ?? 30 * 24 * 3600;
    this.progressIntervalMs = options.progressIntervalMs ?? 2_000;
    this.quotaDefaults = options.quotaDefaults ?? {};
  }

  private activeKey(): string {
    return activeIndexKey(this.keySpace, 'batch');
  }

  keys(tenantId: string, batchId: string) {
    const base = this.keySpace.key('batch', tenantId, batchId);
    return { batch: base, items: `${base}:items`, retry: `${base}:retry` };
  }

  /**
   * Creates the record unless it exists (a retried intake with the same id reuses it); returns it. A new
   * batch's items are checked against the tenant's quotas and taken in the same step: over a quota this
   * throws the quota error and writes nothing.
   */
  async create(batch: NewBatch): Promise<{ record: BatchRecord; created: boolean }> {
    const k = this.keys(batch.tenantId, batch.id);
    const createdAt = new Date().toISOString();
    const fields = {
      ...batch,
      status: 'queued',
      round: 0,
      succeeded: 0,
      failed: 0,
      canceled: 0,
      completedRound: -1,
      createdAt,
    };
    const { keys, args } = this.events.scriptArgs(batch.tenantId, {
      type: 'batch.queued',
      resource: 'batch',
      resourceId: batch.id,
      status: 'queued',
      data: { total: batch.total },
    });
    const quota = quotaScriptArgs(this.keySpace, batch.tenantId, this.quotaDefaults);
    const reply = await runScript<unknown>(
      this.redis,
      'create-batch-7',
      [k.batch, this.activeKey(), ...keys, ...quota.keys],
      [
        this.retentionSeconds,
        Date.parse(createdAt),
        ActiveIndex.member(batch.tenantId, batch.id),
        ...args,
        ...quota.args,
        batch.total,
        ...fieldValuePairs(stringify(fields)),
      ],
    );
    throwIfQuotaRefused(reply);
    const created = reply === 1;
    const record = await this.get(batch.tenantId, batch.id);
    if (!record) throw new Error(`Batch ${batch.id} is missing right after its creation`);
    return { record, created };
  }

  async get(tenantId: string, batchId: string): Promise<BatchRecord | undefined> {
    const h = await this.redis.hgetall(this.keys(tenantId, batchId).batch);
    if (!h.status) return undefined;
    return {
      id: h.id,
      tenantId: h.tenantId,
      modelId: h.modelId,
      targetModel: h.targetModel,
      artifactEtag: h.artifactEtag,
      total: Number(h.total),
      steps: Number(h.steps),
      guidance: Number(h.guidance),
      status: h.status as BatchStatus,
      round: Number(h.round),
      chunks: Number(h.chunks ?? 0),
      succeeded: Number(h.succeeded),
      failed: Number(h.failed),
      canceled: Number(h.canceled),
      createdAt: h.createdAt,
      ...(h.startedAt && { startedAt: Number(h.startedAt) }),
      ...(h.finishedAt && { finishedAt: h.finishedAt }),
      ...(h.manifestKey && { manifestKey: h.manifestKey }),
      ...(h.intakeHash && { intakeHash: h.intakeHash }),
      ...(h.gpuMs && { gpuMs: Number(h.gpuMs) }),
    };
  }

  /**
   * Records item outcomes idempotently; tells the caller whether it must finalize the batch. An item's first
   * outcome gives it back to the tenant's queued-items quota in the same step.
   */
  async recordItems(tenantId: string, batchId: string, outcomes: ItemOutcome[]): Promise<RecordResult | undefined> {
    const k = this.keys(tenantId, batchId);
    const argv: (string | number)[] = [Date.now(), this.progressIntervalMs];
    for (const o of outcomes)
      argv.push(o.index, STATE_CODE[o.state], encodeItem(o), o.retry ? JSON.stringify(o.retry) : '');
    const reply = await runScript<(number | string)[]>(
      this.redis,
      'record-batch-items-4',
      [k.batch, k.items, k.retry, tenantQuotaKeys(this.keySpace, tenantId).usage],
      argv,
    );
    if (reply[0] === -1) return undefined;
    const [finalize, progress, succeeded, failed, canceled, total, status, round] = reply;
    if (outcomes.length > 0 && status !== undefined) {
      await this.redis.expire(k.items, this.retentionSeconds);
      // A batch that keeps moving is not stuck: re-score it (XX: never re-adds a batch that completed meanwhile).
      await this.redis.zadd(this.activeKey(), 'XX', 'GT', Date.now(), ActiveIndex.member(tenantId, batchId));
    }
    return {
      finalize: finalize === 1,
      progressDue: progress === 1,
      counts: {
        succeeded: Number(succeeded),
        failed: Number(failed),
        canceled: Number(canceled),
        total: Number(total),
      },
      status: status as BatchStatus,
      round: Number(round),
    };
  }

  /** Appends a (throttled by the caller) `batch.progress` event. */
  async progress(tenantId: string, batchId: string, counts: RecordResult['counts']): Promise<void> {
    await this.events.append(tenantId, {
      type: 'batch.progress',
      resource: 'batch',
      resourceId: batchId,
      status: 'running',
      data: counts,
    });
  }

  /**
   * Marks round `round` complete and appends `batch.completed`, exactly once per round however many
   * finalizers race (the manifest they write is the same object).
   */
  async complete(record: BatchRecord, counts: RecordResult['counts'], manifestKey: string): Promise<boolean> {
    const status: BatchStatus = record.status === 'canceled' ? 'canceled' : 'completed';
    const appended = this.events.scriptArgs(record.tenantId, {
      type: 'batch.completed',
      resource: 'batch',
      resourceId: record.id,
      status,
      // Every invocation of the round is in the ledger before its items are recorded, so this is the batch's total.
      data: { ...counts, round: record.round, gpuSeconds: (record.gpuMs ?? 0) / 1000 },
    });
    const patch = { completedRound: record.round, status, finishedAt: new Date().toISOString(), manifestKey };
    const guard = { field: 'completedRound', mode: 'ne' as const, values: [String(record.round)] };
    const index = {
      key: this.activeKey(),
      member: ActiveIndex.member(record.tenantId, record.id),
      op: 'rem' as const,
      score: 0,
    };
    return (await guardedUpdate(this.redis, this.keys(record.tenantId, record.id).batch, guard, patch, appended, index))
      .applied;
  }

  /** queued|running → canceled, with its event; false when the batch already finished. */
  async cancel(tenantId: string, batchId: string): Promise<boolean> {
    const appended = this.events.scriptArgs(tenantId, {
      type: 'batch.canceled',
      resource: 'batch',
      resourceId: batchId,
      status: 'canceled',
    });
    const guard = { field: 'status', mode: 'in' as const, values: ['queued', 'running'] };
    // A canceled batch stays active until its last items are recorded and the round is completed.
    const index = {
      key: this.activeKey(),
      member: ActiveIndex.member(tenantId, batchId),
      op: 'add' as const,
      score: Date.now(),
    };
    return (
      await guardedUpdate(
        this.redis,
        this.keys(tenantId, batchId).batch,
        guard,
        { status: 'canceled' },
        appended,
        index,
      )
    ).applied;
  }

  /**
   * Re-opens a completed batch for its failed items, which count against the tenant's quotas again (throws
   * the quota error, changing nothing, when they do not fit); returns the new round, or why it cannot.
   */
  async reopenFailed(
    tenantId: string,
    batchId: string,
  ): Promise<{ round: number; items: number } | { notCompleted: string }> {
    const k = this.keys(tenantId, batchId);
    const member = ActiveIndex.member(tenantId, batchId);
    const quota = quotaScriptArgs(this.keySpace, tenantId, this.quotaDefaults);
    const reply = await runScript<[number, number | string]>(
      this.redis,
      'reopen-failed-batch-7',
      [k.batch, k.items, k.retry, this.activeKey(), ...quota.keys],
      [member, Date.now(), ...quota.args],
    );
    throwIfQuotaRefused(reply);
    const [a, b] = reply;
    if (a === -1) return { notCompleted: String(b) };
    return { round: a, items: Number(b) };
  }

  /** Records how many jobs the current round has (cancel walks their ids). */
  async setChunks(tenantId: string, batchId: string, chunks: number): Promise<void> {
    await this.redis.hset(this.keys(tenantId, batchId).batch, 'chunks', String(chunks));
  }

  /** Failed items' specs (index order), for the jobs of a retry round. */
  async retrySpecs(
    tenantId: string,
    batchId: string,
  ): Promise<(NonNullable<ItemOutcome['retry']> & { index: number })[]> {
    const all = await this.redis.hgetall(this.keys(tenantId, batchId).retry);
    return Object.entries(all)
      .map(([index, spec]) => ({ index: Number(index), ...(JSON.parse(spec) as NonNullable<ItemOutcome['retry']>) }))
      .sort((x, y) => x.index - y.index);
  }

  /** Every item in index order, read in pages: the manifest's source. */
  async *items(tenantId: string, batchId: string, total: number, pageSize = 1_000): AsyncGenerator<ManifestItem> {
    const key = this.keys(tenantId, batchId).items;
    for (let start = 0; start < total; start += pageSize) {
      const indices = Array.from({ length: Math.min(pageSize, total - start) }, (_, i) => String(start + i));
      const values = await this.redis.hmget(key, ...indices);
      for (let i = 0; i < values.length; i++) yield decodeItem(start + i, values[i] ?? null);
    }
  }
}

function stringify(fields: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
}

function encodeItem(o: ItemOutcome): string {
  const parts = [STATE_CODE[o.state], String(o.seed)];
  if (o.error) parts.push(o.error.code, o.error.message);
  return parts.join('|');
}

function decodeItem(index: number, value: string | null): ManifestItem {
  if (value === null) return { index, status: 'pending' };
  const [code, seed, errorCode, ...message] = value.split('|');
  return {
    index,
    status: CODE_STATE[code!] ?? 'pending',
    seed: Number(seed),
    ...(errorCode !== undefined && { error: { code: errorCode, message: message.join('|') } }),
  };
}
