--[[
  A job leaves the dispatcher (invoked, failed for good, canceled, or gone), or steps back to `released`
  when its invocation must be retried (throttled, model still loading, transient error).
  KEYS[1] jobs HASH  KEYS[2] released ZSET  KEYS[3] inflight ZSET  KEYS[4] recency ZSET (model -> last use)
  KEYS[5] warming HASH (model -> warm-up sent at)  KEYS[6] learned HASH (hold: models the endpoint keeps)
  KEYS[7] job lanes HASH (jobId -> lanes a job of a model on several lanes counts on, dispatch-start-7.lua)
  ARGV[1] jobId  ARGV[2] model  ARGV[3] now  ARGV[4] 'done' | 'retry' | 'forget'
  ARGV[5] '1' when this invocation observed a cold load, '0' for a warm one, '' when it did not invoke
  ARGV[6] a released job of the same model that took over this job's slot in its worker (or ''): it runs now
]]
local jobId, model, now, outcome, cold = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local successor = ARGV[6]
redis.call('ZREM', KEYS[3], jobId)
-- The successor's request takes the slot this job's ended, so it counts where this job counted.
local lanes = redis.call('HGET', KEYS[7], jobId)
redis.call('HDEL', KEYS[7], jobId)
if successor ~= '' and redis.call('HEXISTS', KEYS[1], successor) == 1 then
  redis.call('ZREM', KEYS[2], successor)
  redis.call('ZADD', KEYS[3], now, successor)
  if lanes then redis.call('HSET', KEYS[7], successor, lanes) end
end
if outcome == 'retry' then
  redis.call('ZADD', KEYS[2], now, jobId)
  return 0
end
redis.call('ZREM', KEYS[2], jobId)
redis.call('HDEL', KEYS[1], jobId)
if cold ~= '' and model ~= '' then
  -- Learn how many models the endpoint keeps from reuse distance: a model reused after d other models
  -- that loaded cold again means the endpoint keeps fewer than d+1; one still warm means at least d+1.
  local last = redis.call('ZSCORE', KEYS[4], model)
  if last then
    local since = redis.call('ZCOUNT', KEYS[4], '(' .. last, '+inf')
    local hold = tonumber(redis.call('HGET', KEYS[6], 'hold') or '0')
    if cold == '1' and since > 0 and (hold == 0 or since < hold) then redis.call('HSET', KEYS[6], 'hold', since) end
    if cold == '0' and since >= hold and hold > 0 then redis.call('HSET', KEYS[6], 'hold', since + 1) end
  end
  redis.call('ZADD', KEYS[4], now, model)
  redis.call('HDEL', KEYS[5], model)
end
return 1
