import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';

/**
 * The submission claim: one Redis key per model, taken with SET NX before InvokeEndpointAsync and updated
 * with the call's result right after. It is what makes a second submission impossible for a worker that
 * lost its job lock (a stalled or frozen worker), and it lets a resumed job continue polling even when the
 * job checkpoint did not land.
 */
export interface TrainingClaim {
  inferenceId: string;
  submission: number;
  /** `submitting`: the call may be in flight; `submitted`: the locations below are known. */
  state: 'submitting' | 'submitted';
  /** Epoch ms the claim was taken. */
  since: number;
  outputLocation?: string;
  failureLocation?: string;
  submittedAt?: number;
}

export type AcquireResult = { kind: 'acquired' } | { kind: 'exists'; claim: TrainingClaim } | { kind: 'lost_lock' };

export class TrainingClaims {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    /** Claims outlive any training (deadline ≤ 7 h) by a wide margin. @defaultValue 8 days */
    private readonly ttlSeconds = 8 * 24 * 3600,
  ) {}

  key(modelId: string): string {
    return this.keySpace.key('train-claim', modelId);
  }

  /**
   * Takes the claim only while `lockKey` still holds `token` (this worker owns the job), atomically.
   * When a claim exists it is returned instead: the caller resumes from it and does not submit.
   */
  async acquire(modelId: string, claim: TrainingClaim, lock?: { key: string; token: string }): Promise<AcquireResult> {
    const [code, raw] = await runScript<[number, string]>(
      this.redis,
      'acquire-training-claim-2',
      [lock?.key ?? this.key(modelId), this.key(modelId)],
      [lock?.token ?? '', JSON.stringify(claim), this.ttlSeconds],
    );
    if (code === -1) return { kind: 'lost_lock' };
    if (code === 1) return { kind: 'acquired' };
    return { kind: 'exists', claim: JSON.parse(raw) as TrainingClaim };
  }

  async get(modelId: string): Promise<TrainingClaim | undefined> {
    const raw = await this.redis.get(this.key(modelId));
    return raw ? (JSON.parse(raw) as TrainingClaim) : undefined;
  }

  /** Replaces the claim if it still names `inferenceId` (compare-and-set); false otherwise. */
  async replace(modelId: string, inferenceId: string, next: TrainingClaim): Promise<boolean> {
    const replaced = await runScript<number>(
      this.redis,
      'replace-training-claim-1',
      [this.key(modelId)],
      [inferenceId, JSON.stringify(next), this.ttlSeconds],
    );
    return replaced === 1;
  }

  /** Deletes the claim if it still names `inferenceId`: the call was refused, or a resubmission is due. */
  async release(modelId: string, inferenceId: string): Promise<boolean> {
    const released = await runScript<number>(
      this.redis,
      'replace-training-claim-1',
      [this.key(modelId)],
      [inferenceId, '', this.ttlSeconds],
    );
    return released === 1;
  }
}
