import { type Redis } from 'ioredis';
import { runScript } from '@dreamqueue/redis';
import { type EventScriptArgs } from './event-log';

/**
 * A conditional update of one resource hash, its event and its active-index entry, applied by one script
 * (`guarded-update-5.lua`): all of it happens only if a guard field still has an expected value. This is
 * how a status change and its event commit together even when a worker and an API request (cancel) race.
 * The event comes from `EventLog.scriptArgs`, which owns its format.
 */
export interface Guard {
  field: string;
  /** `in`: the field's value is one of `values`; `ne`: the field's value differs from `values[0]`. */
  mode: 'in' | 'ne';
  values: string[];
}

export interface GuardedUpdateResult {
  applied: boolean;
  /** The guard field's value before the update ('' when the hash does not exist). */
  previous: string;
}

/** A change to a resource's entry in the active index (see `ActiveIndex`), applied with the update. */
export interface IndexChange {
  key: string;
  member: string;
  op: 'add' | 'rem';
  score: number;
}

/**
 * What the update gives back to its tenant's quota when it applies: `counter` in the usage hash is lowered
 * by the number in the resource's field `amountField` (a generation's `numImages`).
 */
export interface QuotaRelease {
  usageKey: string;
  counter: string;
  amountField: string;
}

export async function guardedUpdate(
  redis: Redis,
  key: string,
  guard: Guard,
  patch: Record<string, string | number>,
  event: EventScriptArgs,
  index: IndexChange,
  release?: QuotaRelease,
): Promise<GuardedUpdateResult> {
  const argv: (string | number)[] = [guard.field, guard.mode, guard.values.join(','), ...event.args];
  argv.push(index.op, index.member, index.score, release?.counter ?? '', release?.amountField ?? '');
  for (const [field, value] of Object.entries(patch)) argv.push(field, value);
  // Without a release the usage key is never touched; the event's stream key stands in (same hash slot).
  const usageKey = release?.usageKey ?? event.keys[0];
  const [applied, previous] = await runScript<[number, string]>(
    redis,
    'guarded-update-5',
    [key, index.key, ...event.keys, usageKey],
    argv,
  );
  return { applied: applied === 1, previous };
}
