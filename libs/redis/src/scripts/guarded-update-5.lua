-- A conditional update of one resource hash with its event and its active-index entry: applied only if a
-- guard field still has an expected value (how a status change and its event commit together even when a
-- worker and an API request race). The update that ends a resource's work can give back what it counted
-- against its tenant's quota (a generation's images), in the same step: only one such update applies.
-- KEYS: resource hash, active index, tenant stream, global stream, tenant quota usage.
-- ARGV: guard field, mode (`in`: one of the comma-separated values; `ne`: differs from the value), values,
--       event maxLen, event payload, index op (add|rem), index member, index score, usage counter to lower
--       ('' = none), the hash field holding the amount, then field/value pairs.
-- Returns {1, previous} applied, {0, previous} refused ('' when the hash does not exist).
--- @include "append-event"
--- @include "tenant-quota"
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current == false then return {0, ''} end
local ok = false
if ARGV[2] == 'in' then
  for v in string.gmatch(ARGV[3], '[^,]+') do if v == current then ok = true end end
else
  ok = current ~= ARGV[3]
end
if not ok then return {0, current} end
if #ARGV > 10 then redis.call('HSET', KEYS[1], unpack(ARGV, 11)) end
appendEvent(KEYS[3], KEYS[4], ARGV[4], ARGV[5])
if ARGV[6] == 'add' then redis.call('ZADD', KEYS[2], ARGV[8], ARGV[7]) else redis.call('ZREM', KEYS[2], ARGV[7]) end
if ARGV[9] ~= '' then
  quotaAdjust(KEYS[5], ARGV[9], -(tonumber(redis.call('HGET', KEYS[1], ARGV[10])) or 0))
end
return {1, current}
