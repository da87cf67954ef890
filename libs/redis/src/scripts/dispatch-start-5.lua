--[[
  A released job asks to start its invocation; at most ARGV[4] invocations run at once on one lane (one
  instance's slots, see dispatch-release-12.lua: more would make the endpoint load a model on a further
  instance), two fewer while the lane is held for a placement. A model without a lane counts on its own.
  KEYS[1] jobs HASH  KEYS[2] released ZSET  KEYS[3] inflight ZSET  KEYS[4] lanes HASH (model -> lane)
  KEYS[5] placing HASH (lane -> placement under way)
  ARGV[1] jobId  ARGV[2] model  ARGV[3] now  ARGV[4] slots  ARGV[5] inflight entries older than this (ms) are dead
  ARGV[6] lanes (the endpoint's instances)
  Returns 1 (started) or 0 (the lane's slots are full: wait for one of its invocations to finish).
]]
local jobId, model, now, slots = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local laneCount = math.max(1, tonumber(ARGV[6]))
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[5]))
local function laneOf(m)
  local l = redis.call('HGET', KEYS[4], m)
  if l then return tonumber(l) % laneCount end
  return m
end
local mine = laneOf(model)
if type(mine) == 'number' and redis.call('HEXISTS', KEYS[5], tostring(mine)) == 1 then slots = slots - 2 end
local running = 0
local ids = redis.call('ZRANGE', KEYS[3], 0, -1)
for _, id in ipairs(ids) do
  if id == jobId then return 1 end
  local g = redis.call('HGET', KEYS[1], id)
  if g and laneOf(string.match(g, '^[^|]*|(.*)$')) == mine then running = running + 1 end
end
if running >= slots then return 0 end
redis.call('ZREM', KEYS[2], jobId)
redis.call('ZADD', KEYS[3], now, jobId)
return 1
