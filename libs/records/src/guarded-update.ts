import { type ChainableCommander, type Redis } from 'ioredis';
import { LuaScript } from '@dreamqueue/redis';
import { type EventLog, type ResourceEvent } from './event-log';

/**
 * A conditional update of one resource hash and its events, applied by one Lua script: the hash changes
 * and the events are appended only if a guard field still has an expected value. This is how a status
 * change and its event commit together even when a worker and an API request (cancel) race.
 *
 * The events are produced by `EventLog.append` itself (into a recording commander), so their format has
 * one owner; the script replays those XADDs.
 */
export interface Guard {
  field: string;
  /** `in`: the field's value is one of `values`; `ne`: the field's value differs from `values[0]`. */
  mode: 'in' | 'ne';
  values: string[];
}

const SCRIPT = new LuaScript(`
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current == false then return {0, ''} end
local ok = false
if ARGV[2] == 'in' then
  for v in string.gmatch(ARGV[3], '[^,]+') do if v == current then ok = true end end
else
  ok = current ~= ARGV[3]
end
if not ok then return {0, current} end
local i = 4
local n = tonumber(ARGV[i]); i = i + 1
if n > 0 then
  local fields = {}
  for j = 1, n * 2 do fields[j] = ARGV[i + j - 1] end
  redis.call('HSET', KEYS[1], unpack(fields))
  i = i + n * 2
end
local streams = tonumber(ARGV[i]); i = i + 1
for s = 1, streams do
  local argc = tonumber(ARGV[i]); i = i + 1
  local args = {}
  for j = 1, argc do args[j] = ARGV[i + j - 1] end
  redis.call('XADD', KEYS[1 + s], unpack(args))
  i = i + argc
end
local op = ARGV[i]
if op == 'add' then redis.call('ZADD', KEYS[#KEYS], ARGV[i + 2], ARGV[i + 1])
elseif op == 'rem' then redis.call('ZREM', KEYS[#KEYS], ARGV[i + 1]) end
return {1, current}
`);

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

interface RecordedXadd {
  key: string;
  args: string[];
}

/** Runs `EventLog.append` against a recorder and returns the XADDs it would have queued. */
export function recordEventCommands(events: EventLog, tenantId: string, event: ResourceEvent): RecordedXadd[] {
  const recorded: RecordedXadd[] = [];
  const recorder = {
    xadd: (key: string, ...args: (string | number)[]) => {
      recorded.push({ key, args: args.map(String) });
      return recorder;
    },
  };
  void events.append(tenantId, event, recorder as unknown as ChainableCommander);
  return recorded;
}

export async function guardedUpdate(
  redis: Redis,
  key: string,
  guard: Guard,
  patch: Record<string, string | number>,
  xadds: RecordedXadd[],
  index?: IndexChange,
): Promise<GuardedUpdateResult> {
  const entries = Object.entries(patch);
  const argv: (string | number)[] = [guard.field, guard.mode, guard.values.join(','), entries.length];
  for (const [field, value] of entries) argv.push(field, value);
  argv.push(xadds.length);
  for (const x of xadds) argv.push(x.args.length, ...x.args);
  const keys = [key, ...xadds.map((x) => x.key)];
  if (index) {
    keys.push(index.key);
    argv.push(index.op, index.member, index.score);
  }
  const [applied, previous] = (await SCRIPT.run(redis, keys, argv)) as [number, string];
  return { applied: applied === 1, previous };
}
