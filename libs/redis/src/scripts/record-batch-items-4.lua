-- Per-item batch bookkeeping. Each item's terminal state is kept in a hash (index → state), so a retried or
-- duplicated job that reports the same items again changes nothing: counters move only when an item's
-- state actually changes. `s` (succeeded) wins over everything; `c` (canceled) only fills a gap. An item
-- that gets its first state stops counting against the tenant's queued-items quota, in the same step.
-- KEYS: batch hash, item-state hash, retry-spec hash, tenant quota usage.
-- ARGV: now (ms), progress interval (ms), then per item: index, state (s|f|c), encoded value, retry spec.
-- Returns: {finalize, progressDue, succeeded, failed, canceled, total, status, round}.
--- @include "tenant-quota"
local status = redis.call('HGET', KEYS[1], 'status')
if status == false then return {-1} end
local counter = { s = 'succeeded', f = 'failed', c = 'canceled' }
local ended = 0
for i = 3, #ARGV, 4 do
  local idx, state, value, spec = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local old = redis.call('HGET', KEYS[2], idx)
  local oldState = old and string.sub(old, 1, 1) or nil
  local apply = (state == 's') or (state == 'f' and oldState ~= 's') or (state == 'c' and oldState == nil)
  if apply then
    if oldState ~= state then
      if oldState then redis.call('HINCRBY', KEYS[1], counter[oldState], -1) else ended = ended + 1 end
      redis.call('HINCRBY', KEYS[1], counter[state], 1)
    end
    redis.call('HSET', KEYS[2], idx, value)
    if state == 'f' then redis.call('HSET', KEYS[3], idx, spec) else redis.call('HDEL', KEYS[3], idx) end
  end
end
quotaAdjust(KEYS[4], 'queuedItems', -ended)
if status == 'queued' then
  status = 'running'
  redis.call('HSET', KEYS[1], 'status', status, 'startedAt', ARGV[1])
end
local h = redis.call('HMGET', KEYS[1], 'succeeded', 'failed', 'canceled', 'total', 'round', 'completedRound', 'lastProgressAt')
local s, f, c, total = tonumber(h[1]) or 0, tonumber(h[2]) or 0, tonumber(h[3]) or 0, tonumber(h[4])
local finalize = 0
if s + f + c >= total and h[6] ~= h[5] and (status == 'running' or status == 'canceled') then finalize = 1 end
local progress = 0
if tonumber(ARGV[1]) - (tonumber(h[7]) or 0) >= tonumber(ARGV[2]) then
  progress = 1
  redis.call('HSET', KEYS[1], 'lastProgressAt', ARGV[1])
end
return {finalize, progress, s, f, c, total, status, tonumber(h[5])}
