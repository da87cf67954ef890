--[[
  A released job asks to start its invocation; at most ARGV[4] invocations run at once on one lane (one
  instance's slots, see dispatch-release-14.lua: more would make the endpoint load a model on a further
  instance), two fewer while the lane is held for a placement. A model without a lane counts on its own.
  An interactive invocation (ARGV[7] = '1') never waits: it is recorded on the lane the endpoint's router
  sends it to, so with several lanes batch work released and started there leaves it its slot (with one,
  the release step counts it in the endpoint's capacity only).
  KEYS[1] jobs HASH  KEYS[2] released ZSET  KEYS[3] inflight ZSET  KEYS[4] lanes HASH (model -> lanes)
  KEYS[5] placing HASH (lane -> placement under way)  KEYS[6] job lanes HASH (jobId -> lanes it may run on)
  KEYS[7] interactive HASH (jobId -> "lane|countsFrom": interactive invocations running, on their lane from then)
  ARGV[1] jobId  ARGV[2] model  ARGV[3] now  ARGV[4] slots  ARGV[5] inflight entries older than this (ms) are dead
  ARGV[6] lanes (the endpoint's instances)  ARGV[7] '1' for an interactive invocation  ARGV[8] cold-load time (ms)
  Returns 1 (started) or 0 (the lane's slots are full: wait for one of its invocations to finish).

  A model on several lanes (instances) has each request routed by the endpoint to the one of them with the
  fewest outstanding requests. The job is counted on that lane; when two of them are level, the router's
  choice cannot be known, and where another model runs on them the job counts on each until it ends (a
  slot left idle for a while rather than a lane overfilled, which would load a model on yet another
  instance). Lanes running this model only are alike: it counts on one of them, and a wrong guess only
  swaps two of its own jobs between them.
]]
local jobId, model, now, slots = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local laneCount = math.max(1, tonumber(ARGV[6]))
local interactive = ARGV[7] == '1'
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[5]))
local function lanesOf(m)
  local v = redis.call('HGET', KEYS[4], m)
  if not v then return { m } end
  local list = {}
  for l in string.gmatch(v, '%d+') do table.insert(list, tonumber(l) % laneCount) end
  return list
end
local running, others = {}, {}
local ids = redis.call('ZRANGE', KEYS[3], 0, -1)
for _, id in ipairs(ids) do
  if id == jobId then return 1 end
  local g = redis.call('HGET', KEYS[1], id)
  if g then
    local rec = redis.call('HGET', KEYS[6], id)
    local counted = {}
    if rec then
      for l in string.gmatch(rec, '%d+') do table.insert(counted, tonumber(l)) end
    else
      counted = { lanesOf(string.match(g, '^[^|]*|(.*)$'))[1] }
    end
    local m = string.match(g, '^[^|]*|(.*)$')
    for _, l in ipairs(counted) do
      running[l] = (running[l] or 0) + 1
      if m ~= model then others[l] = true end
    end
  end
end
local live = redis.call('HGETALL', KEYS[7])
for i = 1, #live, 2 do
  local l, at = string.match(live[i + 1], '^(%d+)|(%d+)$')
  if not at or tonumber(at) < now - tonumber(ARGV[5]) then
    redis.call('HDEL', KEYS[7], live[i])
  elseif laneCount > 1 and tonumber(at) <= now then
    l = tonumber(l) % laneCount
    running[l] = (running[l] or 0) + 1
    others[l] = true
  end
end

if interactive then
  -- As the router routes it: to the least busy lane holding the model with a slot free; with none, the
  -- least busy other lane with a slot free, which loads the model too; a model held nowhere, the least
  -- busy lane (a load takes no slot).
  local held, lane = {}, nil
  local v = redis.call('HGET', KEYS[4], model)
  for l in string.gmatch(v or '', '%d+') do held[tonumber(l) % laneCount] = true end
  local function least(filter)
    local best
    for l = 0, laneCount - 1 do
      if filter(l) and (best == nil or (running[l] or 0) < (running[best] or 0)) then best = l end
    end
    return best
  end
  lane = least(function(l) return held[l] and (running[l] or 0) < slots end)
  if lane == nil and v then
    lane = least(function(l) return not held[l] and (running[l] or 0) < slots end)
    if lane ~= nil then redis.call('HSET', KEYS[4], model, v .. ',' .. lane) end
  end
  -- A model held nowhere is loaded first, which takes no slot: it counts on its lane once the load is
  -- expected to end (in the endpoint's capacity from now: the worker holds its permit meanwhile).
  local countsFrom = now
  if lane == nil and not v then
    lane = least(function() return true end)
    redis.call('HSET', KEYS[4], model, lane)
    countsFrom = now + tonumber(ARGV[8])
  end
  -- Every instance holding it is full and no other has room: the endpoint throttles or queues it there.
  if lane == nil then lane = least(function(l) return held[l] end) end
  redis.call('HSET', KEYS[7], jobId, lane .. '|' .. countsFrom)
  return 1
end

local mine = lanesOf(model)
local best, level
for _, l in ipairs(mine) do
  local cap = slots
  if type(l) == 'number' and redis.call('HEXISTS', KEYS[5], tostring(l)) == 1 then cap = slots - 2 end
  local r = running[l] or 0
  if r < cap then
    if best == nil or r < running[best] then
      best, level = l, { l }
    elseif r == running[best] then
      table.insert(level, l)
    end
  end
  running[l] = r
end
if best == nil then return 0 end
redis.call('ZREM', KEYS[2], jobId)
redis.call('ZADD', KEYS[3], now, jobId)
local shared = false
for _, l in ipairs(level) do
  if others[l] then shared = true end
end
if not shared then level = { best } end
if #mine > 1 then redis.call('HSET', KEYS[6], jobId, table.concat(level, ',')) end
return 1
