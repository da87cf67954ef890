import { type Redis } from 'ioredis';
import { runScript, type KeySpace } from '@dreamqueue/redis';

export type AdmitAnswer = 'released' | 'inflight' | 'queued';
export type FinishOutcome = 'done' | 'retry' | 'forget';

export interface ReleaseRequest {
  now: number;
  /** Invocations the endpoint runs at once (the AIMD limits of the live worker processes, summed). */
  capacity: number;
  /** Jobs released per lane ahead of its free slots, so a finishing invocation is replaced without a round trip. */
  lookahead: number;
  /** One instance's inference slots: a lane (one instance) never runs more invocations at once. */
  modelSlots: number;
  maxWaitMs: number;
  /** Warm up a lane's next model when the models on that lane have at most this many jobs left. */
  prewarmAt: number;
  /** Models the endpoint keeps, until the dispatcher has learned it from observed cold loads. */
  holdPrior: number;
  /** How long a sent warm-up counts as "loading" (the learned cold-load time, with margin). */
  loadingMs: number;
  /** How long a lane stays below its slots after its warm-up was sent, so the warm-up is routed there first. */
  placeMs: number;
  /** Longest a placement waits for its lane to become the least busy one before it goes to the least busy. */
  placeWaitMs: number;
  /** The learned cold-load time: how long the endpoint counts a warm-up as an outstanding request. */
  coldLoadMs: number;
  /** The endpoint's instances; capacity / modelSlots when not given. */
  lanes?: number;
  /**
   * With nothing released or running, cold models start only once the oldest job waiting has waited this
   * long, so tenants whose work arrives together start together. 0: no gather.
   */
  coldStartGatherMs?: number;
}

export interface ReleaseAnswer {
  jobIds: string[];
  warmups: string[];
  held: string[];
  /** Set while a cold-start gather holds work back: run the release step again after this long. */
  gatherEndsInMs?: number;
}

/** A backlog smaller than one instance's slots waits this long for more of its jobs before it starts a model. */
const GATHER_MS = 2_000;
/** A released job not started within this long is promoted again (its releasing worker may have died first). */
const REPROMOTE_AFTER_MS = 5_000;
/** An invocation answers within 60 s (plus a cold load it may wait for): older entries belong to dead workers. */
const DEAD_INFLIGHT_MS = 180_000;

/**
 * The dispatcher's shared state in Redis: per-(tenant, model) backlogs of job ids, the jobs released to run
 * and running, tenants' virtual times and weights, models warming and recently used, the lane (instance)
 * each model was placed on, and what was learned about the endpoint. Every worker process reads and writes it through one script per step, so several
 * processes share one endpoint; BullMQ still holds every job (the backlog holds ids only).
 */
export class DispatchState {
  constructor(
    private readonly redis: Redis,
    private readonly keySpace: KeySpace,
  ) {}

  private k(name: string): string {
    return this.keySpace.key('dispatch', name);
  }

  private groupPrefix(): string {
    return this.keySpace.key('dispatch', 'q', '');
  }

  static group(tenantId: string, targetModel: string): string {
    return `${tenantId}|${targetModel}`;
  }

  async admit(jobId: string, tenantId: string, targetModel: string, now = Date.now()): Promise<AdmitAnswer> {
    const group = DispatchState.group(tenantId, targetModel);
    const keys = ['groups', 'jobs', 'released', 'inflight', 'tenants', 'served'].map((n) => this.k(n));
    keys.push(this.groupPrefix() + group);
    return runScript<AdmitAnswer>(this.redis, 'dispatch-admit-7', keys, [jobId, tenantId, group, now]);
  }

  /**
   * Chooses jobs to run next (in order), the models to warm up now, and the running models whose lane is
   * held for a placement (a finishing invocation of theirs hands its slot to no one meanwhile).
   */
  async release(r: ReleaseRequest): Promise<ReleaseAnswer> {
    const keys = [
      'groups',
      'jobs',
      'released',
      'inflight',
      'tenants',
      'served',
      'weights',
      'warming',
      'recency',
      'learned',
      'lanes',
      'placing',
      'job-lanes',
      'interactive',
    ].map((n) => this.k(n));
    const reply = await runScript<string[]>(this.redis, 'dispatch-release-14', keys, [
      r.now,
      r.capacity,
      r.lookahead,
      r.modelSlots,
      r.maxWaitMs,
      REPROMOTE_AFTER_MS,
      DEAD_INFLIGHT_MS,
      this.groupPrefix(),
      r.prewarmAt,
      r.holdPrior,
      r.loadingMs,
      GATHER_MS,
      r.placeMs,
      r.placeWaitMs,
      r.coldLoadMs,
      r.lanes ?? Math.max(1, Math.floor(r.capacity / r.modelSlots)),
      r.coldStartGatherMs ?? 0,
    ]);
    const bars = reply.flatMap((v, i) => (v === '|' ? [i] : []));
    const gather = reply[bars[2] + 1];
    return {
      jobIds: reply.slice(0, bars[0]),
      warmups: reply.slice(bars[0] + 1, bars[1]),
      held: reply.slice(bars[1] + 1, bars[2]),
      ...(gather === undefined ? {} : { gatherEndsInMs: Number(gather) }),
    };
  }

  /**
   * 1 = started; 0 = the job's lane (one instance) already runs `modelSlots` invocations (for a model on
   * several lanes: each of them does).
   */
  async start(
    jobId: string,
    targetModel: string,
    modelSlots: number,
    lanes: number,
    now = Date.now(),
  ): Promise<boolean> {
    return (await this.runStart(jobId, targetModel, modelSlots, lanes, now)) === 1;
  }

  /**
   * An interactive invocation starts (it never waits): it is counted on the lane the endpoint's router
   * sends it to until `interactiveEnded`, so the lane's batch work leaves it its slot.
   */
  async interactiveStarted(
    jobId: string,
    targetModel: string,
    slots: { modelSlots: number; lanes: number; coldLoadMs: number },
    now = Date.now(),
  ): Promise<void> {
    await this.runStart(jobId, targetModel, slots.modelSlots, slots.lanes, now, slots.coldLoadMs);
  }

  async interactiveEnded(jobId: string): Promise<void> {
    await this.redis.hdel(this.k('interactive'), jobId);
  }

  private async runStart(
    jobId: string,
    targetModel: string,
    modelSlots: number,
    lanes: number,
    now: number,
    /** Set for an interactive invocation: the cold-load time, for one whose model must be loaded first. */
    interactiveColdLoadMs?: number,
  ): Promise<number> {
    const keys = ['jobs', 'released', 'inflight', 'lanes', 'placing', 'job-lanes', 'interactive'].map((n) => this.k(n));
    const interactive = interactiveColdLoadMs === undefined ? ['0', 0] : ['1', Math.round(interactiveColdLoadMs)];
    const args = [jobId, targetModel, now, modelSlots, DEAD_INFLIGHT_MS, lanes, ...interactive];
    return runScript<number>(this.redis, 'dispatch-start-7', keys, args);
  }

  /**
   * `jobId` leaves the dispatcher or steps back (`outcome`); `cold` says what its invocation observed.
   * `successor`, a released job of the same model that took over its slot, is recorded as running.
   */
  async finish(
    jobId: string,
    targetModel: string,
    outcome: FinishOutcome,
    options: { cold?: boolean; successor?: string; now?: number } = {},
  ): Promise<void> {
    const keys = ['jobs', 'released', 'inflight', 'recency', 'warming', 'learned', 'job-lanes'].map((n) => this.k(n));
    const observed = options.cold === undefined ? '' : options.cold ? '1' : '0';
    const args = [jobId, targetModel, options.now ?? Date.now(), outcome, observed, options.successor ?? ''];
    await runScript(this.redis, 'dispatch-finish-7', keys, args);
  }

  /** Whether the dispatcher still tracks `jobId` (admitted and not finished). */
  async isTracked(jobId: string): Promise<boolean> {
    return (await this.redis.hexists(this.k('jobs'), jobId)) === 1;
  }

  async isReleased(jobId: string): Promise<boolean> {
    return (await this.redis.zscore(this.k('released'), jobId)) !== null;
  }

  /** Sets a tenant's weight (its share of the endpoint relative to others; default 1). */
  async setWeight(tenantId: string, weight: number): Promise<void> {
    await this.redis.hset(this.k('weights'), tenantId, String(weight));
  }

  /** How many models the endpoint keeps, as learned from observed cold loads (undefined until seen). */
  async learnedHold(): Promise<number | undefined> {
    const v = await this.redis.hget(this.k('learned'), 'hold');
    return v === null ? undefined : Number(v);
  }

  /** Jobs waiting per group (for metrics and tests). */
  async backlog(): Promise<Record<string, number>> {
    const flat = await this.redis.hgetall(this.k('groups'));
    return Object.fromEntries(Object.entries(flat).map(([g, n]) => [g, Number(n)]));
  }

  /** A stopping process's capacity leaves the endpoint's now, not when its last report expires. */
  async forgetProcess(processId: string): Promise<void> {
    await this.redis.multi().hdel(this.k('limits'), processId).zrem(this.k('limits-seen'), processId).exec();
  }

  /**
   * Reports this process's AIMD limit and its most permits (its concurrency); returns both summed over the
   * processes seen within `ttlMs`: the endpoint's concurrency now, and what the operators sized it for.
   */
  async reportLimit(
    processId: string,
    mine: { limit: number; max: number },
    ttlMs: number,
    now = Date.now(),
  ): Promise<{ limit: number; max: number }> {
    const key = this.k('limits');
    const seen = this.k('limits-seen');
    const [, , , live] = (await this.redis
      .multi()
      .hset(key, processId, `${mine.limit}/${mine.max}`)
      .zadd(seen, String(now), processId)
      .zremrangebyscore(seen, '-inf', now - ttlMs)
      .zrange(seen, '0', '-1')
      .exec())!.map(([, v]) => v) as [unknown, unknown, unknown, string[]];
    if (live.length === 0) return mine;
    const sum = { limit: 0, max: 0 };
    for (const v of await this.redis.hmget(key, ...live)) {
      const [limit, max] = (v ?? '0/0').split('/').map(Number);
      sum.limit += limit || 0;
      // An entry written before the maximum was reported counts its limit for both.
      sum.max += max ?? limit ?? 0;
    }
    return sum;
  }
}
