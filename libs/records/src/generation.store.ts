import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';
import { ActiveIndex, activeIndexKey } from './active-index';
import { type EventLog } from './event-log';
import { fieldValuePairs, fieldValuePairsJson } from './field-value-pairs';
import { guardedUpdate, type GuardedUpdateResult } from './guarded-update';
import { tenantQuotaKeys } from './tenant-quota';

/**
 * Durable state of one generation (`gen_…`): what was asked, what reached the model, and where the images
 * are. Lives in its own Redis hash, so it outlives BullMQ job retention. Image keys are stored; presigned
 * URLs never are (they are made at read time).
 */
export const GENERATION_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'canceled', 'expired'] as const;
export type GenerationStatus = (typeof GENERATION_STATUSES)[number];
export const TERMINAL_GENERATION_STATUSES: readonly GenerationStatus[] = ['succeeded', 'failed', 'canceled', 'expired'];

export interface GeneratedImage {
  index: number;
  seed: number;
  /** S3 key (server-built, tenant-scoped). */
  key: string;
}

export interface GenerationFailure {
  code: string;
  message: string;
}

export interface GenerationRecord {
  id: string;
  tenantId: string;
  modelId: string;
  /** The MME artifact name and its ETag at request time: the reproduction record's model half. */
  targetModel: string;
  artifactEtag: string;
  /** The prompt as sent to the model (trigger phrase inserted). */
  prompt: string;
  negativePrompt: string;
  numImages: number;
  steps: number;
  guidance: number;
  seed: number;
  status: GenerationStatus;
  jobId: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  deadlineAt?: number;
  images: GeneratedImage[];
  error?: GenerationFailure;
  /** GPU milliseconds its invocation used (the cost ledger adds each invocation once). */
  gpuMs?: number;
}

export type NewGeneration = Omit<
  GenerationRecord,
  'status' | 'images' | 'createdAt' | 'startedAt' | 'finishedAt' | 'error' | 'gpuMs'
>;

export interface GenerationStoreOptions {
  /** How long a generation record is kept after creation. @defaultValue 30 days */
  retentionSeconds?: number;
}

export interface TransitionPatch {
  images?: GeneratedImage[];
  error?: GenerationFailure;
}

/** Where each status may come from; anything else is refused (e.g. a canceled generation never succeeds). */
const ALLOWED_FROM: Record<GenerationStatus, GenerationStatus[]> = {
  queued: [],
  running: ['queued'],
  succeeded: ['running'],
  failed: ['queued', 'running'],
  canceled: ['queued', 'running'],
  expired: ['queued', 'running'],
};

export class GenerationStore {
  /** How long a record is kept after creation. */
  readonly retentionSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    private readonly events: EventLog,
    options: GenerationStoreOptions = {},
  ) {
    this.retentionSeconds = options.retentionSeconds ?? 30 * 24 * 3600;
  }

  key(tenantId: string, generationId: string): string {
    return this.keySpace.key('generation', tenantId, generationId);
  }

  /** Writes the record (status `queued`), its active-index entry and its `generation.queued` event at once. */
  async create(generation: NewGeneration): Promise<GenerationRecord> {
    const record = queuedGeneration(generation);
    const { keys, args } = this.events.scriptArgs(record.tenantId, queuedEvent(record));
    const created = await runScript<number>(
      this.redis,
      'create-record-4',
      [this.key(record.tenantId, record.id), activeIndexKey(this.keySpace, 'generation'), ...keys],
      [
        this.retentionSeconds,
        Date.parse(record.createdAt),
        ActiveIndex.member(record.tenantId, record.id),
        ...args,
        ...generationHashArgs(record),
      ],
    );
    if (created !== 1) throw new Error(`Generation ${record.id} already exists`);
    return record;
  }

  /** The record, or undefined when it does not exist for this tenant (another tenant's id included). */
  async get(tenantId: string, generationId: string): Promise<GenerationRecord | undefined> {
    const hash = await this.redis.hgetall(this.key(tenantId, generationId));
    return hash.status ? fromHash(hash) : undefined;
  }

  /**
   * Moves a generation to `to` if its current status allows it, appending `generation.<to>` atomically.
   * `applied: false` means someone else got there first (e.g. the user canceled): the caller discards.
   * The move to a terminal status gives the generation's images back to the tenant's queued-items quota in
   * the same step; only one such move applies, so they are given back once.
   */
  async transition(
    tenantId: string,
    generationId: string,
    to: GenerationStatus,
    patch: TransitionPatch = {},
  ): Promise<GuardedUpdateResult> {
    const now = new Date().toISOString();
    const fields: Record<string, string> = { status: to };
    if (to === 'running') fields.startedAt = now;
    else fields.finishedAt = now;
    if (patch.images) fields.images = JSON.stringify(patch.images);
    if (patch.error) fields.error = JSON.stringify(patch.error);
    const data: Record<string, unknown> = {};
    if (patch.images) data.images = patch.images.length;
    if (patch.error) data.error = patch.error;
    const appended = this.events.scriptArgs(tenantId, event(generationId, to, data));
    // Running stays in the active index (re-scored); every other target status is terminal and leaves it.
    const index = {
      key: activeIndexKey(this.keySpace, 'generation'),
      member: ActiveIndex.member(tenantId, generationId),
      op: to === 'running' ? ('add' as const) : ('rem' as const),
      score: Date.now(),
    };
    const release = TERMINAL_GENERATION_STATUSES.includes(to)
      ? { usageKey: tenantQuotaKeys(this.keySpace, tenantId).usage, counter: 'queuedItems', amountField: 'numImages' }
      : undefined;
    return guardedUpdate(
      this.redis,
      this.key(tenantId, generationId),
      { field: 'status', mode: 'in', values: ALLOWED_FROM[to] },
      fields,
      appended,
      index,
      release,
    );
  }
}

/** A new generation as created: `queued`, no images yet. */
export function queuedGeneration(generation: NewGeneration): GenerationRecord {
  // Not `{ ...generation, status, … }`: on Node 20 a literal that spreads an object and then adds fields takes
  // V8's slow path (µs per call, on every intake); `Object.assign` copies the same fields, in the same order.
  return Object.assign({}, generation, { status: 'queued' as const, images: [], createdAt: new Date().toISOString() });
}

export function queuedEvent(record: GenerationRecord) {
  return event(record.id, 'queued');
}

/** The record's hash as the field/value pairs a creating script takes. */
export function generationHashArgs(record: GenerationRecord): string[] {
  return fieldValuePairs(toHash(record));
}

/** The same pairs as one JSON array (see `fieldValuePairsJson`). */
export function generationHashJson(record: GenerationRecord): string {
  return fieldValuePairsJson(toHash(record));
}

function event(generationId: string, status: GenerationStatus, data?: Record<string, unknown>) {
  return {
    type: `generation.${status}`,
    resource: 'generation' as const,
    resourceId: generationId,
    status,
    ...(data && Object.keys(data).length > 0 && { data }),
  };
}

function toHash(r: GenerationRecord): Record<string, string> {
  const hash: Record<string, string> = {
    id: r.id,
    tenantId: r.tenantId,
    modelId: r.modelId,
    targetModel: r.targetModel,
    artifactEtag: r.artifactEtag,
    prompt: r.prompt,
    negativePrompt: r.negativePrompt,
    numImages: String(r.numImages),
    steps: String(r.steps),
    guidance: String(r.guidance),
    seed: String(r.seed),
    status: r.status,
    jobId: r.jobId,
    createdAt: r.createdAt,
    images: JSON.stringify(r.images),
  };
  if (r.deadlineAt !== undefined) hash.deadlineAt = String(r.deadlineAt);
  return hash;
}

function fromHash(h: Record<string, string>): GenerationRecord {
  return {
    id: h.id,
    tenantId: h.tenantId,
    modelId: h.modelId,
    targetModel: h.targetModel,
    artifactEtag: h.artifactEtag,
    prompt: h.prompt,
    negativePrompt: h.negativePrompt ?? '',
    numImages: Number(h.numImages),
    steps: Number(h.steps),
    guidance: Number(h.guidance),
    seed: Number(h.seed),
    status: h.status as GenerationStatus,
    jobId: h.jobId,
    createdAt: h.createdAt,
    ...(h.startedAt && { startedAt: h.startedAt }),
    ...(h.finishedAt && { finishedAt: h.finishedAt }),
    ...(h.deadlineAt && { deadlineAt: Number(h.deadlineAt) }),
    images: h.images ? (JSON.parse(h.images) as GeneratedImage[]) : [],
    ...(h.error && { error: JSON.parse(h.error) as GenerationFailure }),
    ...(h.gpuMs && { gpuMs: Number(h.gpuMs) }),
  };
}
