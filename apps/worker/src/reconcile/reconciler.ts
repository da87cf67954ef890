import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type ActiveKind, type ActiveRef } from '@dreamqueue/records';
import { releaseLock } from '@dreamqueue/redis';
import { IntervalLoop } from '../interval-loop';
import { reconcileBatch } from './reconcile-batch';
import { type ReconcileDeps } from './reconcile-deps';
import { reconcileDemand } from './reconcile-demand';
import { reconcileGeneration } from './reconcile-generation';
import { reconcileModel } from './reconcile-model';

export interface ReconcilerOptions {
  /** Time between runs; also the lease, so across all workers one run starts per interval. */
  intervalMs: number;
  /** Resources whose last change is younger than this are never touched (their intake may be in flight). */
  graceMs: number;
  /** Resources looked at per kind and page; a run reads pages until none is due or `maxPerRun`. @defaultValue 100 */
  batchSize?: number;
  /** Resources per kind per run at most, so one run stays short. @defaultValue 2000 */
  maxPerRun?: number;
  /** @defaultValue `<hostname>-<pid>` */
  holder?: string;
}

export interface ReconcileRun {
  checked: Record<ActiveKind, number>;
  demandReset: number;
}

/** Longest one resource check may take before another run may check it too. */
const RESOURCE_LOCK_MS = 60_000;

const HANDLERS: Record<ActiveKind, (deps: ReconcileDeps, ref: ActiveRef) => Promise<void>> = {
  model: reconcileModel,
  generation: reconcileGeneration,
  batch: reconcileBatch,
};

/**
 * Finds accepted work that stopped moving — a resource in a non-terminal state whose last change is older
 * than the grace — and compares it with its BullMQ job, repairing what the job's fate implies. Every worker
 * runs one; a Redis lease (SET NX PX, not released) lets one of them run per interval. Every repair goes
 * through the stores' compare-and-set updates, so two runs that overlap still repair each thing once.
 */
export class Reconciler {
  private readonly loop: IntervalLoop;
  private readonly holder: string;

  constructor(
    private readonly deps: ReconcileDeps,
    private readonly options: ReconcilerOptions,
  ) {
    this.holder = options.holder ?? `${hostname()}-${process.pid}`;
    this.loop = new IntervalLoop(
      () => this.tick(),
      options.intervalMs,
      (err) => deps.logger.warn({ err }, 'reconcile run failed; retrying next interval'),
    );
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Takes the lease and runs; undefined when another process holds the lease. */
  async tick(): Promise<ReconcileRun | undefined> {
    const lease = await this.deps.redis.set(
      this.deps.keySpace.key('reconcile', 'lease'),
      this.holder,
      'PX',
      this.options.intervalMs,
      'NX',
    );
    if (lease !== 'OK') return undefined;
    return this.runOnce();
  }

  /** One pass over every kind, without the lease (tests, and an operator's manual run). */
  async runOnce(): Promise<ReconcileRun> {
    const run: ReconcileRun = { checked: { model: 0, generation: 0, batch: 0 }, demandReset: 0 };
    for (const kind of ['model', 'generation', 'batch'] as const) run.checked[kind] = await this.sweep(kind);
    if (!this.loop.stopping) run.demandReset = await reconcileDemand(this.deps);
    return run;
  }

  private async sweep(kind: ActiveKind): Promise<number> {
    const { batchSize = 100, maxPerRun = 2_000, graceMs } = this.options;
    const cutoff = this.deps.now() - graceMs;
    const seen = new Set<string>();
    while (!this.loop.stopping && seen.size < maxPerRun) {
      // Each handler removes, re-scores (to now) or repairs what it looked at, so the next page is fresh;
      // `seen` guards against a resource whose score did not move (a failed repair).
      const due = (await this.deps.index.due(kind, cutoff, batchSize)).filter(
        (r) => !seen.has(`${r.tenantId}/${r.id}`),
      );
      if (due.length === 0) break;
      for (const ref of due) {
        seen.add(`${ref.tenantId}/${ref.id}`);
        if (this.loop.stopping) break;
        await this.handle(kind, ref);
      }
    }
    return seen.size;
  }

  /**
   * Checks one resource under a short per-resource lock: runs that overlap (a lease that lapsed during a long
   * run) skip what another is repairing, and every handler re-reads the record, so each repair happens once.
   * The lock is released only while it still holds this run's token: a check that outlived the lock's TTL
   * must not delete the lock another run took since.
   */
  private async handle(kind: ActiveKind, ref: ActiveRef): Promise<void> {
    const lock = this.deps.keySpace.key('reconcile', 'lock', kind, ref.tenantId, ref.id);
    const token = `${this.holder}:${randomUUID()}`;
    if ((await this.deps.redis.set(lock, token, 'PX', RESOURCE_LOCK_MS, 'NX')) !== 'OK') return;
    try {
      await HANDLERS[kind](this.deps, ref);
    } catch (err) {
      this.deps.logger.warn(
        { err, resource: kind, tenantId: ref.tenantId, resourceId: ref.id },
        'reconcile check failed; retrying next run',
      );
    } finally {
      await releaseLock(this.deps.redis, lock, token);
    }
  }
}
