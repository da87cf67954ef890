--[[
  Model-aware dispatch: chooses which waiting batch jobs run next and which model to warm up.
  KEYS[1] groups HASH  KEYS[2] jobs HASH  KEYS[3] released ZSET  KEYS[4] inflight ZSET  KEYS[5] tenants HASH
  KEYS[6] served HASH  KEYS[7] weights HASH (tenant -> weight, default 1)  KEYS[8] warming HASH
  KEYS[9] recency ZSET  KEYS[10] learned HASH
  ARGV[1] now  ARGV[2] capacity (invocations the endpoint runs at once)  ARGV[3] lookahead (released ahead)
  ARGV[4] model slots (one instance's)  ARGV[5] max wait (ms) before a group goes first regardless
  ARGV[6] released entries older than this (ms) are promoted again  ARGV[7] inflight entries older than this are dead
  ARGV[8] backlog key prefix (+ group = the group's ZSET)  ARGV[9] prewarm when the running models have at
  most this many jobs left  ARGV[10] models the endpoint keeps (prior, until learned)
  ARGV[11] how long a warm-up counts as loading (ms)
  ARGV[12] a new model starts with at least `model slots` jobs waiting, or once its oldest waited this long
  (ms): while a backlog is still arriving, its first job alone does not take a slot another model could use

  Order of choice, one job at a time:
  1. a group whose oldest job waited longer than the max wait (no model starves);
  2. tenants by virtual time (served / weight): the most behind tenant goes first (weighted fairness);
  3. within the tenant, the model already running with the most invocations, while below one instance's
     slots (keep slots on warm models, drain a backlog in full batches before switching);
  4. only when a slot is really free (not for lookahead): a new model, warm or warming ones first, then the
     group waiting longest.
  Returns { jobIds..., '|', warmupModel or '' }.
]]
local now, capacity, lookahead = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local slots, maxWait = tonumber(ARGV[4]), tonumber(ARGV[5])
local prefix, prewarmAt = ARGV[8], tonumber(ARGV[9])
local hold = tonumber(redis.call('HGET', KEYS[10], 'hold') or ARGV[10])
local loadingMs, gatherMs = tonumber(ARGV[11]), tonumber(ARGV[12])

-- A job released that long ago and not started yet may never have been promoted (the releasing worker
-- died in between): it is returned again; promoting a job that is not parked any more does nothing.
local again = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[6]))
for _, id in ipairs(again) do redis.call('ZADD', KEYS[3], now, id) end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[7]))

local function modelOf(group) return string.match(group, '^[^|]*|(.*)$') end
local function tenantOf(group) return string.match(group, '^([^|]*)|') end

-- Invocations per model, released or running.
local running, total = {}, 0
for _, set in ipairs({ KEYS[3], KEYS[4] }) do
  for _, id in ipairs(redis.call('ZRANGE', set, 0, -1)) do
    local g = redis.call('HGET', KEYS[2], id)
    if g then
      local m = modelOf(g)
      running[m] = (running[m] or 0) + 1
    end
    total = total + 1
  end
end

local counts = {}
local flat = redis.call('HGETALL', KEYS[1])
for i = 1, #flat, 2 do counts[flat[i]] = tonumber(flat[i + 1]) end

-- Models the endpoint most likely holds: the `hold` most recently used or warmed up (an MME unloads a
-- model only when it needs the memory for others, not after some time).
local warm = {}
for _, m in ipairs(redis.call('ZREVRANGE', KEYS[9], 0, hold - 1)) do warm[m] = true end
local warmingFlat = redis.call('HGETALL', KEYS[8])
local warmingCount = 0
for i = 1, #warmingFlat, 2 do
  if tonumber(warmingFlat[i + 1]) > now - loadingMs then
    warm[warmingFlat[i]] = true
    warmingCount = warmingCount + 1
  end
end

local function head(group)
  local h = redis.call('ZRANGE', prefix .. group, 0, 0, 'WITHSCORES')
  if #h == 0 then return nil end
  return h[1], tonumber(h[2])
end

local function tenantOrder()
  local list = {}
  local waiting = redis.call('HGETALL', KEYS[5])
  for i = 1, #waiting, 2 do
    if tonumber(waiting[i + 1]) > 0 then
      table.insert(list, { waiting[i], tonumber(redis.call('HGET', KEYS[6], waiting[i]) or '0') })
    end
  end
  table.sort(list, function(a, b) return a[2] < b[2] end)
  return list
end

-- A new model for `tenant` (or any tenant when nil): warm ones first, then the group waiting longest.
local function newGroup(tenant)
  local best, bestWarm, bestAt
  for g, n in pairs(counts) do
    local m = modelOf(g)
    if n > 0 and (running[m] or 0) == 0 and (tenant == nil or tenantOf(g) == tenant) then
      local _, at = head(g)
      if at and (n >= slots or now - at >= gatherMs) then
        local w = warm[m] == true
        if not best or (w and not bestWarm) or (w == bestWarm and at < bestAt) then
          best, bestWarm, bestAt = g, w, at
        end
      end
    end
  end
  return best
end

-- The tenant's running models that still have work waiting (a draining model's last invocations leave room
-- for the next). Other tenants' models do not count: weighted fairness shares slots between tenants.
local function busyModels(tenant)
  local seen, n = {}, 0
  for g, c in pairs(counts) do
    local m = modelOf(g)
    if c > 0 and tenantOf(g) == tenant and (running[m] or 0) > 0 and not seen[m] then
      seen[m] = true
      n = n + 1
    end
  end
  return n
end

local function pick()
  -- 1. no starvation
  local oldest, oldestAt
  for g, n in pairs(counts) do
    if n > 0 then
      local _, at = head(g)
      if at and now - at > maxWait and (not oldestAt or at < oldestAt) then oldest, oldestAt = g, at end
    end
  end
  if oldest then return oldest end
  local cap = slots
  if total >= capacity then cap = slots + 1 end
  for _, t in ipairs(tenantOrder()) do
    local tenant = t[1]
    -- 3. stay on a running model
    local best, bestRun
    for g, n in pairs(counts) do
      if n > 0 and tenantOf(g) == tenant then
        local r = running[modelOf(g)] or 0
        if r > 0 and r < cap and (not bestRun or r > bestRun) then best, bestRun = g, r end
      end
    end
    if best then return best end
    -- 4. a new model, only into a free slot, and only while the tenant runs fewer models with work left than
    -- the capacity has instances' worth of slots (permits beyond that go to lookahead, not to a cold model)
    if total < capacity and busyModels(tenant) < math.max(1, math.floor(capacity / slots)) then
      local g = newGroup(tenant)
      if g then return g end
    end
  end
  return nil
end

local out = {}
for _, id in ipairs(again) do table.insert(out, id) end
local budget = capacity + lookahead - total
while budget > 0 do
  local g = pick()
  if not g then break end
  local id = redis.call('ZPOPMIN', prefix .. g)[1]
  local left = redis.call('HINCRBY', KEYS[1], g, -1)
  counts[g] = left
  if left <= 0 then redis.call('HDEL', KEYS[1], g) end
  local tenant = tenantOf(g)
  if redis.call('HINCRBY', KEYS[5], tenant, -1) <= 0 then redis.call('HDEL', KEYS[5], tenant) end
  if id then
    redis.call('ZADD', KEYS[3], now, id)
    local m = modelOf(g)
    running[m] = (running[m] or 0) + 1
    total = total + 1
    budget = budget - 1
    local weight = tonumber(redis.call('HGET', KEYS[7], tenant) or '1')
    if weight <= 0 then weight = 1 end
    redis.call('HINCRBYFLOAT', KEYS[6], tenant, 1 / weight)
    table.insert(out, id)
  end
end

-- Pre-warm: when the running models are nearly drained, start loading the model that comes next, so the
-- switch costs no slot. At most one load per instance (capacity / slots) at a time.
table.insert(out, '|')
local left = 0
for g, n in pairs(counts) do
  if n > 0 and (running[modelOf(g)] or 0) > 0 then left = left + n end
end
local instances = math.max(1, math.floor(capacity / slots))
local warmup = ''
if left <= prewarmAt and warmingCount < instances then
  local order = tenantOrder()
  local g = nil
  for _, t in ipairs(order) do
    g = newGroup(t[1])
    if g and not warm[modelOf(g)] then break end
    g = nil
  end
  if g then
    warmup = modelOf(g)
    redis.call('HSET', KEYS[8], warmup, now)
    redis.call('ZADD', KEYS[9], now, warmup)
  end
end
table.insert(out, warmup)
return out
