--[[
  Model-aware dispatch: a batch job enters the per-(tenant, model) backlog (idempotent by job id).
  KEYS[1] groups    HASH  "tenant|model" -> jobs waiting in that group's backlog
  KEYS[2] jobs      HASH  jobId -> "tenant|model" (every job the dispatcher knows until it finishes)
  KEYS[3] released  ZSET  jobId -> releasedAt (chosen to run, not yet started)
  KEYS[4] inflight  ZSET  jobId -> startedAt
  KEYS[5] tenants   HASH  tenant -> jobs waiting over all its groups
  KEYS[6] served    HASH  tenant -> virtual time (invocations served / weight)
  KEYS[7] groupkey  the group's backlog ZSET (jobId -> admittedAt)
  ARGV[1] jobId  ARGV[2] tenant  ARGV[3] group ("tenant|model")  ARGV[4] now (ms)
  Returns 'released' (run it), 'inflight' (a previous run of it died: run it), or 'queued' (park it).
]]
local jobId, tenant, group, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if redis.call('ZSCORE', KEYS[3], jobId) then return 'released' end
if redis.call('ZSCORE', KEYS[4], jobId) then return 'inflight' end
redis.call('HSET', KEYS[2], jobId, group)
if redis.call('ZADD', KEYS[7], 'NX', now, jobId) == 1 then
  redis.call('HINCRBY', KEYS[1], group, 1)
  if redis.call('HINCRBY', KEYS[5], tenant, 1) == 1 then
    -- A tenant coming back from idle starts at the lowest virtual time of the tenants waiting now, so it
    -- gets its share from here on, not a burst for the time it was away.
    local lowest
    local waiting = redis.call('HGETALL', KEYS[5])
    for i = 1, #waiting, 2 do
      if waiting[i] ~= tenant then
        local v = tonumber(redis.call('HGET', KEYS[6], waiting[i]) or '0')
        if not lowest or v < lowest then lowest = v end
      end
    end
    local mine = tonumber(redis.call('HGET', KEYS[6], tenant) or '0')
    if lowest and mine < lowest then redis.call('HSET', KEYS[6], tenant, tostring(lowest)) end
  end
end
return 'queued'
