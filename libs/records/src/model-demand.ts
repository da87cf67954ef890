import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';

/**
 * Which MME models have work outstanding and which were invoked recently — the two facts LoRA affinity
 * needs. Producers add the jobs they enqueue per `TargetModel`; the generate worker subtracts each job
 * when it reaches a final outcome and stamps a model as warm after each successful invocation. Counters
 * are advisory (a scheduling hint, never correctness): they are clamped at zero and expire when idle.
 */
export class ModelDemand {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
    /** Idle counters vanish after this long, so drift cannot outlive a quiet period. @defaultValue 1 day */
    readonly idleSeconds = 24 * 3600,
  ) {}

  /** The hash of outstanding jobs per `TargetModel` (also raised by the generation intake script). */
  pendingKey(): string {
    return this.keySpace.key('mme', 'pending');
  }

  private warmKey(): string {
    return this.keySpace.key('mme', 'warm');
  }

  async add(targetModel: string, jobs: number): Promise<void> {
    if (jobs === 0) return;
    await this.redis
      .multi()
      .hincrby(this.pendingKey(), targetModel, jobs)
      .expire(this.pendingKey(), this.idleSeconds)
      .exec();
  }

  async done(targetModel: string, jobs = 1): Promise<void> {
    const left = await this.redis.hincrby(this.pendingKey(), targetModel, -jobs);
    if (left <= 0) await this.redis.hdel(this.pendingKey(), targetModel);
  }

  async pending(targetModels: string[]): Promise<number[]> {
    if (targetModels.length === 0) return [];
    const values = await this.redis.hmget(this.pendingKey(), ...targetModels);
    return values.map((v) => Math.max(0, Number(v ?? 0)));
  }

  /** Every pending counter as stored (for the reconciler's drift check). */
  async snapshot(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.pendingKey());
  }

  /** Deletes the counters that still hold their `snapshot` value (one a producer moved meanwhile is kept). */
  async resetUnchanged(snapshot: Record<string, string>): Promise<number> {
    const entries = Object.entries(snapshot);
    if (entries.length === 0) return 0;
    return runScript<number>(this.redis, 'reset-unchanged-counters-1', [this.pendingKey()], entries.flat());
  }

  async markWarm(targetModel: string, at = Date.now()): Promise<void> {
    await this.redis.multi().zadd(this.warmKey(), at, targetModel).expire(this.warmKey(), this.idleSeconds).exec();
  }

  /** The `limit` most recently invoked models within `windowMs`, most recent first. */
  async warm(windowMs: number, limit: number, now = Date.now()): Promise<string[]> {
    return this.redis.zrevrangebyscore(this.warmKey(), '+inf', String(now - windowMs), 'LIMIT', 0, limit);
  }
}
