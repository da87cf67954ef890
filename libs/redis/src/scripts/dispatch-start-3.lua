--[[
  A released job asks to start its invocation; at most ARGV[4] invocations of one model run at once
  (one instance's slots: more would make the endpoint load the model on a further instance).
  KEYS[1] jobs HASH  KEYS[2] released ZSET  KEYS[3] inflight ZSET
  ARGV[1] jobId  ARGV[2] model  ARGV[3] now  ARGV[4] model slots  ARGV[5] inflight entries older than this (ms) are dead
  Returns 1 (started) or 0 (the model's slots are full: wait for one of its invocations to finish).
]]
local jobId, model, now, slots = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[5]))
local running = 0
local ids = redis.call('ZRANGE', KEYS[3], 0, -1)
for _, id in ipairs(ids) do
  if id == jobId then return 1 end
  local g = redis.call('HGET', KEYS[1], id)
  if g and string.sub(g, -#model - 1) == '|' .. model then running = running + 1 end
end
if running >= slots then return 0 end
redis.call('ZREM', KEYS[2], jobId)
redis.call('ZADD', KEYS[3], now, jobId)
return 1
