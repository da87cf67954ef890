import { createHash } from 'node:crypto';
import { type Redis } from 'ioredis';
import { AppError, badRequest, conflict } from '@dreamqueue/errors';
import { type KeySpace } from '@dreamqueue/redis';

export interface StoredResponse<T> {
  status: number;
  body: T;
}

export interface IdempotentResult<T> extends StoredResponse<T> {
  /** True when this answer is the stored first answer, not a new execution. */
  replayed: boolean;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface IdempotencyOptions {
  /** How long a first answer is replayed. @defaultValue 24 h */
  ttlSeconds?: number;
  /** How long an unfinished first request holds the key before another may take over. @defaultValue 120 */
  lockSeconds?: number;
  /** Waits between attempts to store a first answer. @defaultValue [100, 400, 1600] */
  recordRetryDelaysMs?: readonly number[];
  /** Told when a created resource's answer could not be stored (the key then stays held until `lockSeconds`). */
  onUnrecorded?: (err: unknown) => void;
}

/**
 * `Idempotency-Key` for create requests (the Stripe design): the first response for a (tenant, key) is
 * stored for 24 h — in its own Redis key, independent of BullMQ job retention — and replayed for the
 * same request; the same key with a different request is 422; a concurrent duplicate is 409.
 */
export class IdempotencyStore {
  /** How long a first response is kept and replayed. */
  readonly ttlSeconds: number;
  private readonly lockSeconds: number;
  private readonly recordRetryDelaysMs: readonly number[];

  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    private readonly options: IdempotencyOptions = {},
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 24 * 3600;
    this.lockSeconds = options.lockSeconds ?? 120;
    this.recordRetryDelaysMs = options.recordRetryDelaysMs ?? [100, 400, 1600];
  }

  /** Whether (tenant, key) is held by a request, answered or still running: a retry, not a new request. */
  async holds(tenantId: string, idempotencyKey: string): Promise<boolean> {
    if (!KEY_PATTERN.test(idempotencyKey)) return false;
    return (await this.redis.exists(this.keyOf(tenantId, idempotencyKey))) === 1;
  }

  async run<T>(
    tenantId: string,
    idempotencyKey: string | undefined,
    requestFingerprint: string,
    create: () => Promise<StoredResponse<T>>,
  ): Promise<IdempotentResult<T>> {
    if (idempotencyKey === undefined) {
      const { status, body } = await create();
      return { status, body, replayed: false };
    }
    if (!KEY_PATTERN.test(idempotencyKey)) {
      throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1–255 printable ASCII characters.');
    }
    const key = this.keyOf(tenantId, idempotencyKey);
    const claimed = await this.redis.set(
      key,
      JSON.stringify({ fingerprint: requestFingerprint, state: 'running' }),
      'EX',
      this.lockSeconds,
      'NX',
    );
    if (claimed === null) return this.replay<T>(key, requestFingerprint);

    let response: StoredResponse<T>;
    try {
      response = await create();
    } catch (err) {
      // A rejected request (4xx) is not a result worth replaying: the client fixes it and retries with the same key.
      await this.redis.del(key);
      throw err;
    }
    if (response.status >= 500) {
      await this.redis.del(key);
      return { ...response, replayed: false };
    }
    // The resource exists now: freeing the key would let the client's retry create a second one. Store the
    // answer (retrying a short outage); if that cannot be done, answer anyway — the client learns the id —
    // and leave the running record, so a retry within `lockSeconds` gets 409 rather than a duplicate.
    const done = JSON.stringify({ fingerprint: requestFingerprint, state: 'done', response });
    for (let attempt = 0; ; attempt++) {
      try {
        await this.redis.set(key, done, 'EX', this.ttlSeconds);
        break;
      } catch (err) {
        const wait = this.recordRetryDelaysMs[attempt];
        if (wait === undefined) {
          this.options.onUnrecorded?.(err);
          break;
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    return { ...response, replayed: false };
  }

  private keyOf(tenantId: string, idempotencyKey: string): string {
    return this.keySpace.key('idem', tenantId, createHash('sha256').update(idempotencyKey).digest('hex'));
  }

  private async replay<T>(key: string, requestFingerprint: string): Promise<IdempotentResult<T>> {
    const raw = await this.redis.get(key);
    if (!raw)
      throw conflict(
        'idempotency_in_progress',
        'A request with this Idempotency-Key just finished or expired; retry it.',
      );
    const stored = JSON.parse(raw) as { fingerprint: string; state: 'running' | 'done'; response?: StoredResponse<T> };
    if (stored.fingerprint !== requestFingerprint) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request.', {
        status: 422,
      });
    }
    if (stored.state !== 'done' || !stored.response) {
      throw conflict('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed.');
    }
    return { ...stored.response, replayed: true };
  }
}

/** A stable hash of a request's meaningful parts (method, path, body fields, file bytes). */
export function fingerprint(...parts: Array<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(String(Buffer.byteLength(part)));
    hash.update(':');
    hash.update(part);
  }
  return hash.digest('hex');
}
