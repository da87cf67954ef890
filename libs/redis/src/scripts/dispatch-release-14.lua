--[[
  Model-aware dispatch: chooses which waiting batch jobs run next and which models to warm up.
  KEYS[1] groups HASH  KEYS[2] jobs HASH  KEYS[3] released ZSET  KEYS[4] inflight ZSET  KEYS[5] tenants HASH
  KEYS[6] served HASH  KEYS[7] weights HASH (tenant -> weight, default 1)  KEYS[8] warming HASH (model -> sent at)
  KEYS[9] recency ZSET  KEYS[10] learned HASH  KEYS[11] lanes HASH (model -> lane)
  KEYS[12] placing HASH (lane -> "model|decidedAt|sentAt": a warm-up being placed on that lane; "+model|…":
  a further lane for a model that runs elsewhere)  KEYS[13] job lanes HASH (jobId -> lanes a running job of a
  model on several lanes counts on, dispatch-start-7.lua)  KEYS[14] interactive HASH (jobId -> "lane|countsFrom":
  interactive invocations running, each on the lane the router sends it to, dispatch-start-7.lua)
  ARGV[1] now  ARGV[2] capacity (invocations the endpoint runs at once)  ARGV[3] lookahead (jobs released per
  lane ahead of its free slots)  ARGV[4] slots of one instance  ARGV[5] max wait (ms) before a group goes first
  ARGV[6] released entries older than this (ms) are promoted again  ARGV[7] inflight entries older than this are dead
  ARGV[8] backlog key prefix (+ group = the group's ZSET)  ARGV[9] warm up a lane's next model when the models
  on it have at most this many jobs left  ARGV[10] models the endpoint keeps (prior, until learned)
  ARGV[11] how long a warm-up counts as loading (ms)  ARGV[12] a new model starts with at least `slots` jobs
  waiting, or once its oldest waited this long (ms)  ARGV[13] how long a lane stays held after its warm-up was
  sent (ms)  ARGV[14] longest a placement waits for its lane to be the least busy (ms)  ARGV[15] cold-load
  time (ms): how long the endpoint counts a warm-up as outstanding  ARGV[16] lanes (the endpoint's instances)
  ARGV[17] cold-start gather (ms): with nothing released or running, a cold model starts only once the oldest
  job waiting has waited this long, so tenants whose work arrives together start together

  Lanes: the endpoint has ARGV[16] instances, and a multi-model endpoint routes a model's requests to
  the instance that holds it. A lane is the dispatcher's name for one instance: each model it starts is given
  a lane, and a lane never gets more than `slots` running invocations, so a model's requests always find room
  on the instance holding it (more would make the endpoint load it on a further instance). A model held
  nowhere is loaded where the fewest requests are outstanding, so a warm-up for lane L is sent only while L
  runs fewer invocations than every other lane; L is held below `slots` until then ("placing"), and its
  models are listed after a second '|' so their workers hand no finishing slot over meanwhile.

  A model may run on several lanes (the lanes HASH holds "0,2", the lane added last at the end). Lanes are
  per model, so a tenant's slots cannot move from one lane to another: with two busy lanes, a third tenant
  placed on one of them takes its slots from one tenant only. Where the tenants confined to some lanes
  have fair shares beyond those lanes' slots, one of them has its busiest model placed on a further lane,
  the richest tenant's, and the freed slots there go to whoever holds least. It is given back once that
  confinement has ended.

  Order of choice, one job at a time:
  1. a group whose oldest job waited longer than the max wait and whose model has not run for as long
     (no model starves);
  2. tenants by virtual time (served / weight): the most behind tenant goes first (weighted fairness);
  3. within the tenant, a model already running whose lane has room (keep slots on warm models, drain a
     backlog in full batches before switching);
  4. only into a really free slot: a new model, warm or warming ones first, then the group waiting longest.
  Returns { jobIds..., '|', warmupModels..., '|', running models that must not hand a slot over..., '|',
  ms until a cold-start gather ends (or nothing) }.
]]
local now, capacity, lookahead = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local slots, maxWait = tonumber(ARGV[4]), tonumber(ARGV[5])
local prefix, prewarmAt = ARGV[8], tonumber(ARGV[9])
local hold = tonumber(redis.call('HGET', KEYS[10], 'hold') or ARGV[10])
local loadingMs, gatherMs = tonumber(ARGV[11]), tonumber(ARGV[12])
local placeMs, placeWaitMs, coldLoadMs = tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15])
local laneCount = math.max(1, tonumber(ARGV[16]))
local coldStartGatherMs = tonumber(ARGV[17])

-- A job released that long ago and not started yet may never have been promoted (the releasing worker
-- died in between): it is returned again; promoting a job that is not parked any more does nothing.
local again = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[6]))
for _, id in ipairs(again) do redis.call('ZADD', KEYS[3], now, id) end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[7]))

local function modelOf(group) return string.match(group, '^[^|]*|(.*)$') end
local function tenantOf(group) return string.match(group, '^([^|]*)|') end

-- laneOf: the model's first lane; laneSet: every lane it runs on; lastLane: the lane added last (where its
-- latest warm-up went).
local laneOf, laneSet, lastLane = {}, {}, {}
local laneFlat = redis.call('HGETALL', KEYS[11])
for i = 1, #laneFlat, 2 do
  local m = laneFlat[i]
  for l in string.gmatch(laneFlat[i + 1], '%d+') do
    local lane = tonumber(l) % laneCount
    laneOf[m] = laneOf[m] or lane
    laneSet[m] = laneSet[m] or {}
    laneSet[m][lane] = true
    lastLane[m] = lane
  end
end
local function laneList(m)
  local list = {}
  for l = 0, laneCount - 1 do
    if laneSet[m] and laneSet[m][l] then table.insert(list, l) end
  end
  return list
end
local function multiLane(m) return #laneList(m) > 1 end

-- Lane records of jobs no longer running (finished ones are removed by dispatch-finish; dead ones here).
local recorded = {}
local recFlat = redis.call('HGETALL', KEYS[13])
for i = 1, #recFlat, 2 do
  if redis.call('ZSCORE', KEYS[4], recFlat[i]) then
    recorded[recFlat[i]] = {}
    for l in string.gmatch(recFlat[i + 1], '%d+') do table.insert(recorded[recFlat[i]], tonumber(l) % laneCount) end
  else
    redis.call('HDEL', KEYS[13], recFlat[i])
  end
end

-- Invocations per model, tenant and lane, released or running (`started`: running only), and per lane and
-- tenant (`laneTenant`).
local running, total, laneAll, laneStarted, tenantRunning, laneTenant = {}, 0, {}, {}, {}, {}
local modelTenant = {}
for l = 0, laneCount - 1 do
  laneAll[l] = 0
  laneStarted[l] = 0
end
for si, set in ipairs({ KEYS[3], KEYS[4] }) do
  for _, id in ipairs(redis.call('ZRANGE', set, 0, -1)) do
    local g = redis.call('HGET', KEYS[2], id)
    if g then
      local m = modelOf(g)
      running[m] = (running[m] or 0) + 1
      modelTenant[m] = tenantOf(g)
      tenantRunning[tenantOf(g)] = (tenantRunning[tenantOf(g)] or 0) + 1
      -- The lanes it counts on: as recorded when it started; a released job of a model on several lanes
      -- on the one of them with most room; else the model's lane.
      local lanes = recorded[id]
      if not lanes and laneOf[m] then
        lanes = { laneOf[m] }
        if si == 1 then
          for _, k in ipairs(laneList(m)) do
            if laneAll[k] < laneAll[lanes[1]] then lanes[1] = k end
          end
        end
      end
      for _, l in ipairs(lanes or {}) do
        laneAll[l] = laneAll[l] + 1
        if si == 2 then laneStarted[l] = laneStarted[l] + 1 end
      end
      if lanes then
        local l = lanes[1]
        laneTenant[l] = laneTenant[l] or {}
        laneTenant[l][tenantOf(g)] = (laneTenant[l][tenantOf(g)] or 0) + 1
      end
    end
    total = total + 1
  end
end
-- Interactive invocations take a permit of the endpoint's capacity and, with several lanes, a slot on their
-- lane like any other (the router counts them so), once their model's load is expected to end; they belong
-- to no tenant's share. With one lane the
-- router has no choice to make, and a released batch job that finds the instance full waits in its worker
-- or is throttled and retried. Dead entries are pruned by the start step.
local batchTotal = total
local laneInteractive = {}
for l = 0, laneCount - 1 do laneInteractive[l] = 0 end
for _, v in ipairs(redis.call('HVALS', KEYS[14])) do
  local l, at = string.match(v, '^(%d+)|(%d+)$')
  if at and tonumber(at) >= now - tonumber(ARGV[7]) then
    total = total + 1
    if laneCount > 1 and tonumber(at) <= now then
      l = tonumber(l) % laneCount
      laneInteractive[l] = laneInteractive[l] + 1
      laneAll[l] = laneAll[l] + 1
      laneStarted[l] = laneStarted[l] + 1
    end
  end
end

local counts = {}
local flat = redis.call('HGETALL', KEYS[1])
for i = 1, #flat, 2 do counts[flat[i]] = tonumber(flat[i + 1]) end

-- Models the endpoint most likely holds: the `hold` most recently used or warmed up (an MME unloads a
-- model only when it needs the memory for others, not after some time).
local warm, warming, warmingSince = {}, {}, {}
for _, m in ipairs(redis.call('ZREVRANGE', KEYS[9], 0, hold - 1)) do warm[m] = true end
local warmingFlat = redis.call('HGETALL', KEYS[8])
for i = 1, #warmingFlat, 2 do
  if tonumber(warmingFlat[i + 1]) > now - loadingMs then
    warm[warmingFlat[i]] = true
    warming[warmingFlat[i]] = true
    warmingSince[warmingFlat[i]] = tonumber(warmingFlat[i + 1])
  end
end

-- Lanes being placed on: capped below `slots` until their warm-up has been routed.
local placing, placingModel = {}, {}
local placingFlat = redis.call('HGETALL', KEYS[12])
for i = 1, #placingFlat, 2 do
  local m, decided, sent = string.match(placingFlat[i + 1], '^(.*)|(%d+)|(%d+)$')
  local l = tonumber(placingFlat[i])
  if l >= laneCount or (tonumber(sent) > 0 and now - tonumber(sent) >= placeMs) then
    redis.call('HDEL', KEYS[12], placingFlat[i])
  else
    local further = string.sub(m, 1, 1) == '+'
    if further then m = string.sub(m, 2) end
    placing[l] = { model = m, decided = tonumber(decided), sent = tonumber(sent), further = further }
    -- Not sent yet: the model is not started anywhere until its warm-up has been routed to its lane.
    if tonumber(sent) == 0 and not further then placingModel[m] = l end
  end
end
local function laneCap(l, extra)
  if placing[l] then return math.max(0, slots - 2) end
  return slots + extra
end

-- The lane of model `m` with the most room below its cap (nil when all of them are full).
local function roomyLane(m, extra)
  local best
  for _, l in ipairs(laneList(m)) do
    if laneAll[l] < laneCap(l, extra) and (not best or laneAll[l] < laneAll[best]) then best = l end
  end
  return best
end

-- Requests outstanding at the endpoint per lane, as its router counts them: running invocations, plus a
-- warm-up while its load is under way (the endpoint counts it until the load ends, though the caller hung up).
local function outstanding(l)
  local n = laneStarted[l]
  for m, at in pairs(warmingSince) do
    if lastLane[m] == l and at > now - coldLoadMs then n = n + 1 end
  end
  return n
end
local function head(group)
  local h = redis.call('ZRANGE', prefix .. group, 0, 0, 'WITHSCORES')
  if #h == 0 then return nil end
  return h[1], tonumber(h[2])
end

local function weightOf(tenant)
  local w = tonumber(redis.call('HGET', KEYS[7], tenant) or '1')
  if w <= 0 then return 1 end
  return w
end

-- Tenants with work waiting, the one holding the smallest part of the endpoint for its weight first (its
-- invocations released or running ÷ weight: a share of GPU time, whatever an invocation costs), then the
-- one furthest behind in virtual time (which of them gets the slot that does not divide evenly).
local function tenantOrder()
  local list = {}
  local waiting = redis.call('HGETALL', KEYS[5])
  for i = 1, #waiting, 2 do
    if tonumber(waiting[i + 1]) > 0 then
      local t = waiting[i]
      local share = (tenantRunning[t] or 0) / weightOf(t)
      table.insert(list, { t, tonumber(redis.call('HGET', KEYS[6], t) or '0'), share })
    end
  end
  table.sort(list, function(a, b)
    if a[3] ~= b[3] then return a[3] < b[3] end
    return a[2] < b[2]
  end)
  return list
end

-- The lane with the most room for a model that is held nowhere (nil when every lane is full).
local function freeLane()
  local best
  for l = 0, laneCount - 1 do
    if laneAll[l] < laneCap(l, 0) and (not best or laneAll[l] < laneAll[best]) then best = l end
  end
  return best
end

-- Where a model not running now would run: its lane while it is warm there, else a free lane. With several
-- lanes a model held nowhere starts only on an idle lane: the router loads it where the fewest requests are
-- outstanding, and on any other lane its requests would be split over two instances (a busy lane's next
-- model comes by placement, below).
-- Whether the router would load a model held nowhere on lane `l` now: it sends it to an instance with a
-- free slot and the fewest outstanding requests, and another instance has a slot free for a moment whenever
-- one of its invocations ends before the next arrives. So the lane must run at least two invocations fewer
-- than every other lane (a warm-up still loading counts against it only: elsewhere it would only add margin).
local function clearlyLeast(l)
  for k = 0, laneCount - 1 do
    if k ~= l and outstanding(l) + 2 > laneStarted[k] then return false end
  end
  return true
end
-- Models the dispatcher placed on each lane: of two idle instances the router loads a model on the one
-- holding fewer models (the most free model memory).
local modelsOn = {}
for l = 0, laneCount - 1 do modelsOn[l] = 0 end
for _, set in pairs(laneSet) do
  for l, _ in pairs(set) do modelsOn[l] = modelsOn[l] + 1 end
end
local function laneFor(m)
  if laneOf[m] and warm[m] then return roomyLane(m, 0) end
  if laneCount == 1 then return freeLane() end
  local idle
  for k = 0, laneCount - 1 do
    if laneAll[k] == 0 and outstanding(k) == 0 and not placing[k] and (not idle or modelsOn[k] < modelsOn[idle]) then
      idle = k
    end
  end
  if idle then return idle end
  -- A lane serving interactive requests only, clearly the least busy: the router loads the model there.
  for k = 0, laneCount - 1 do
    if laneInteractive[k] > 0 and laneAll[k] == laneInteractive[k] and not placing[k] and clearlyLeast(k) then
      return k
    end
  end
  return nil
end

-- Cold start: the endpoint runs no batch work, so every model is about to pay a cold load. Waiting a small
-- part of one for the jobs admitted just after the first lets tenants whose batches arrived together start
-- together (the first admitted would otherwise take every slot, and the next tenant's first slot would come
-- only after that load). Warm models are not held back.
local gatherLeft
if batchTotal == 0 then
  local oldestAt
  for g, n in pairs(counts) do
    local _, at = head(g)
    if n > 0 and at and (not oldestAt or at < oldestAt) then oldestAt = at end
  end
  if oldestAt and now - oldestAt < coldStartGatherMs then gatherLeft = coldStartGatherMs - (now - oldestAt) end
end

-- A new model for `tenant` (or any tenant when nil): warm ones first, then the group waiting longest.
-- `cold`: only models that are not warm (a warm-up candidate). Returns the group and its lane.
local function newGroup(tenant, cold)
  local best, bestWarm, bestAt, bestLane
  for g, n in pairs(counts) do
    local m = modelOf(g)
    local eligible = not placingModel[m] and not (cold and warm[m]) and not (gatherLeft and not warm[m])
    if n > 0 and (running[m] or 0) == 0 and (tenant == nil or tenantOf(g) == tenant) and eligible then
      local _, at = head(g)
      if at and (n >= slots or now - at >= gatherMs) then
        local l = cold and 0 or laneFor(m)
        local w = warm[m] == true
        if l and (not best or (w and not bestWarm) or (w == bestWarm and at < bestAt)) then
          best, bestWarm, bestAt, bestLane = g, w, at, l
        end
      end
    end
  end
  return best, bestLane
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

-- A tenant with work waiting and nothing running: no lookahead and no hand-over for anyone until it has a
-- slot, or tenants already running would keep every slot by lookahead alone.
local tenantWaitsIdle = false
for _, t in ipairs(tenantOrder()) do
  if not tenantRunning[t[1]] then tenantWaitsIdle = true end
end

-- Invocations released or running, less the lookahead waiting beyond a lane's slots: lookahead queued for
-- busy lanes is no slot taken, so it does not keep a new model from a lane that drained.
local function committed()
  local n = total
  for l = 0, laneCount - 1 do
    if laneAll[l] > slots then n = n - (laneAll[l] - slots) end
  end
  return n
end

-- Rules 3 and 4 for one tenant: a job of its running model whose lane has room, else a new model.
local function pickFor(tenant, extra)
  -- 3. stay on a running model whose lane has room
  local best, bestRun, bestLane
  for g, n in pairs(counts) do
    local m = modelOf(g)
    if n > 0 and tenantOf(g) == tenant and laneOf[m] and (running[m] or 0) > 0 then
      local r, l = running[m], roomyLane(m, extra)
      if l and (not bestRun or r > bestRun) then best, bestRun, bestLane = g, r, l end
    end
  end
  if best then return best, bestLane end
  -- 4. a new model, only into a free slot, and only while the tenant runs fewer models with work left than
  -- the endpoint has lanes (permits beyond that go to lookahead, not to a cold model)
  if committed() < capacity and busyModels(tenant) < laneCount then return newGroup(tenant, false) end
  return nil
end

local function pick()
  -- 1. no starvation: a group whose model has not run for the max wait either. A model that runs is being
  -- served (its tenant's share, rule 2, sets the pace): putting it first for the age of its head would hand
  -- the endpoint to whichever tenant submitted first once every big batch's head is that old.
  local oldest, oldestAt
  for g, n in pairs(counts) do
    local m = modelOf(g)
    if n > 0 and (running[m] or 0) == 0 then
      local _, at = head(g)
      local served = tonumber(redis.call('ZSCORE', KEYS[9], m) or '0')
      if at and now - math.max(at, served) > maxWait and (not oldestAt or at < oldestAt) then
        oldest, oldestAt = g, at
      end
    end
  end
  if oldest then return oldest, laneFor(modelOf(oldest)) or freeLane() or 0 end
  local extra = 0
  if total >= capacity and not tenantWaitsIdle then extra = lookahead end
  for _, t in ipairs(tenantOrder()) do
    local g, l = pickFor(t[1], extra)
    if g then return g, l end
  end
  return nil
end

local out = {}
for _, id in ipairs(again) do table.insert(out, id) end
local budget = capacity + lookahead * laneCount - total
while budget > 0 do
  local g, lane = pick()
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
    if not (laneSet[m] and laneSet[m][lane]) then
      laneOf[m], laneSet[m], lastLane[m] = lane, { [lane] = true }, lane
      redis.call('HSET', KEYS[11], m, lane)
    end
    running[m], modelTenant[m] = (running[m] or 0) + 1, tenant
    tenantRunning[tenant] = (tenantRunning[tenant] or 0) + 1
    laneAll[lane] = laneAll[lane] + 1
    total = total + 1
    budget = budget - 1
    redis.call('HINCRBYFLOAT', KEYS[6], tenant, 1 / weightOf(tenant))
    table.insert(out, id)
  end
end

-- Pre-warm: when the models on a lane are nearly drained, start loading the model that comes next there, so
-- the switch costs no slot. One model warming per lane at a time.
table.insert(out, '|')
local future, laneWarming = {}, {}
for l = 0, laneCount - 1 do future[l] = 0 end
for m, _ in pairs(warming) do
  if lastLane[m] then laneWarming[lastLane[m]] = true end
end
for g, n in pairs(counts) do
  local m = modelOf(g)
  -- A warm model waiting for its lane runs there next (laneFor): its backlog is that lane's future too.
  if n > 0 and laneOf[m] and ((running[m] or 0) > 0 or warm[m] or placingModel[m]) then
    for _, l in ipairs(laneList(m)) do future[l] = future[l] + n end
  end
end
-- `further`: lane `l` is added to the lanes model `m` runs on (else it becomes its only lane).
local function warmUp(m, l, further)
  if further and laneSet[m] then
    laneSet[m][l], lastLane[m] = true, l
    local list = {}
    for _, k in ipairs(laneList(m)) do
      if k ~= l then table.insert(list, k) end
    end
    table.insert(list, l)
    redis.call('HSET', KEYS[11], m, table.concat(list, ','))
  else
    laneOf[m], laneSet[m], lastLane[m] = l, { [l] = true }, l
    redis.call('HSET', KEYS[11], m, l)
  end
  redis.call('HSET', KEYS[8], m, now)
  redis.call('ZADD', KEYS[9], now, m)
  warming[m], warm[m], laneWarming[l], warmingSince[m] = true, true, true, now
  table.insert(out, m)
end
-- Holds lane `l` for model `m` until its warm-up has been routed there (sent below, once `l` is least busy).
local placements = 0
local function placeOn(l, m, further)
  placing[l] = { model = m, decided = now, sent = 0, further = further }
  if not further then placingModel[m] = l end
  laneWarming[l] = true
  placements = placements + 1
  redis.call('HSET', KEYS[12], l, (further and '+' or '') .. m .. '|' .. now .. '|0')
end
local order = {}
for l = 0, laneCount - 1 do table.insert(order, l) end
table.sort(order, function(a, b) return future[a] < future[b] end)
-- One placement at a time: loads placed together could not be told apart by the endpoint's router.
for _, _ in pairs(placing) do placements = placements + 1 end
for _, l in ipairs(order) do
  if gatherLeft then break end
  if future[l] <= prewarmAt and not laneWarming[l] and not placing[l] and placements == 0 then
    local g
    for _, t in ipairs(tenantOrder()) do
      g = newGroup(t[1], true)
      if g then break end
    end
    if not g then break end
    local m = modelOf(g)
    if laneCount == 1 then
      warmUp(m, l)
    else
      placeOn(l, m)
    end
  end
end
-- A tenant with work waiting and nothing running, whose cold model no lane takes (none is idle and none
-- nearly drained: busy lanes switch models only then): its model is placed on the lane where the tenant
-- holding the largest part of the endpoint for its weight runs most. That lane is held below its slots
-- until the warm-up is routed there, then the newcomer, holding least, gets its freed slots first. Without
-- this a newcomer on a busy multi-lane endpoint would wait for a big batch to drain, or the max wait.
if laneCount > 1 and placements == 0 and not gatherLeft then
  local newcomer
  for _, t in ipairs(tenantOrder()) do
    if not tenantRunning[t[1]] then
      newcomer = newGroup(t[1], true)
      if newcomer then break end
    end
  end
  local richest, richestShare
  for tn, r in pairs(tenantRunning) do
    if not richestShare or r / weightOf(tn) > richestShare then richest, richestShare = tn, r / weightOf(tn) end
  end
  local target, targetRun
  for l = 0, laneCount - 1 do
    local r = richest and laneTenant[l] and laneTenant[l][richest] or 0
    if newcomer and r > 0 and not placing[l] and not laneWarming[l] and (not targetRun or r > targetRun) then
      target, targetRun = l, r
    end
  end
  if target then placeOn(target, modelOf(newcomer)) end
end
-- Further lanes. Each tenant with work has a fair share of the lanes' slots (by weight) and runs on the
-- lanes of its models with work. Where the tenants confined to a set of lanes have fair shares that add up
-- to more than those lanes' slots, no release order can give each its share (lanes are per model): one of
-- them, the one with least work waiting (its further lane ends with its work), has its busiest running
-- model placed on a further lane: the one where the tenant furthest above its share runs most. Not on an
-- idle lane: it would give its tenant more than the others confined as it is until each had one, and an
-- idle instance serves interactive requests and the next new model at once. One placement at a time.
if laneCount > 1 and placements == 0 and not gatherLeft then
  local lanesOfTenant, weightSum, tenants, ownerOf = {}, 0, {}, {}
  local function note(t, m)
    if not tenants[t] then
      tenants[t] = true
      weightSum = weightSum + weightOf(t)
      lanesOfTenant[t] = {}
    end
    ownerOf[m] = t
    for _, l in ipairs(laneList(m)) do lanesOfTenant[t][l] = true end
  end
  for g, n in pairs(counts) do
    if n > 0 then note(tenantOf(g), modelOf(g)) end
  end
  for m, t in pairs(modelTenant) do note(t, m) end
  local function fair(t) return laneCount * slots * weightOf(t) / weightSum end
  -- Whether tenant t runs only on lanes in `set` (a newcomer without a lane runs nowhere yet).
  local function within(t, set)
    local any = false
    for l, _ in pairs(lanesOfTenant[t]) do
      if not set[l] then return false end
      any = true
    end
    return any
  end
  -- How far the fair shares of the tenants confined to tenant t's lanes exceed those lanes' slots, and
  -- how many lanes that is.
  local function excess(t)
    local set, size = lanesOfTenant[t], 0
    for _, _ in pairs(set) do size = size + 1 end
    local need = 0
    for u, _ in pairs(tenants) do
      if within(u, set) then need = need + fair(u) end
    end
    return need - size * slots, size
  end
  -- A further lane is given back once its tenant is no longer short without it: the confinement that made
  -- it has ended (the newcomer's batch finished). Kept, it would go on handing its tenant that lane's freed
  -- slots beside the lane's own tenant, which has no other lane. The model stays loaded on that instance and
  -- the router may still send it a request while that instance is the less busy one; its jobs count on the
  -- model's other lanes again, and the lane's own tenant gets the slots the dispatcher counts there.
  for m, t in pairs(ownerOf) do
    local l, pending = lastLane[m], false
    for _, p in pairs(placing) do
      if p.model == m then pending = true end
    end
    if multiLane(m) and not pending then
      local kept = lanesOfTenant[t]
      local without = {}
      for om, ot in pairs(ownerOf) do
        if ot == t then
          for _, k in ipairs(laneList(om)) do
            if om ~= m or k ~= l then without[k] = true end
          end
        end
      end
      lanesOfTenant[t] = without
      local over, size = excess(t)
      if size > 0 and over <= 0.01 then
        local list = {}
        for k in string.gmatch(redis.call('HGET', KEYS[11], m), '%d+') do
          if tonumber(k) % laneCount ~= l then table.insert(list, k) end
        end
        laneSet[m][l] = nil
        laneOf[m], lastLane[m] = tonumber(list[1]) % laneCount, tonumber(list[#list]) % laneCount
        redis.call('HSET', KEYS[11], m, table.concat(list, ','))
      else
        lanesOfTenant[t] = kept
      end
    end
  end
  local short = {}
  for t, _ in pairs(tenants) do
    local over, size = excess(t)
    local backlog = tonumber(redis.call('HGET', KEYS[5], t) or '0')
    if size > 0 and over > 0.01 and backlog > 0 then table.insert(short, { t, backlog }) end
  end
  table.sort(short, function(x, y) return x[2] < y[2] end)
  local m, waiting, target
  for _, entry in ipairs(short) do
    local choice = entry[1]
    for g, n in pairs(counts) do
      local gm = modelOf(g)
      if n > 0 and tenantOf(g) == choice and (running[gm] or 0) > 0 and laneOf[gm] and not roomyLane(gm, 0)
        and (not waiting or n > waiting) then
        m, waiting = gm, n
      end
    end
    if m then
      local richest, surplus
      for u, _ in pairs(tenants) do
        local above = (tenantRunning[u] or 0) / weightOf(u) - fair(u) / weightOf(u)
        if u ~= choice and above >= 1 and (not surplus or above > surplus) then richest, surplus = u, above end
      end
      local most = 0
      for l = 0, laneCount - 1 do
        local r = richest and laneTenant[l] and laneTenant[l][richest] or 0
        if not target and r > most and not laneSet[m][l] and not placing[l] and not laneWarming[l] then
          most = r
        end
      end
      if not target and most > 0 then
        for l = 0, laneCount - 1 do
          local r = laneTenant[l] and laneTenant[l][richest] or 0
          if not target and r == most and not laneSet[m][l] and not placing[l] and not laneWarming[l] then target = l end
        end
      end
    end
    if target then break end
    m, waiting = nil, nil
  end
  if target then placeOn(target, m, true) end
end
-- The lane a model held nowhere would be loaded on now (see clearlyLeast).
local function leastLane()
  for l = 0, laneCount - 1 do
    if clearlyLeast(l) then return l end
  end
  return nil
end
-- A placement's warm-up goes out once a lane is the least busy, and its model is given that lane: the lane
-- held for it, another lane that wants its next model too (nearly drained, nothing warming), or after
-- waiting too long any lane. Sent while no lane is clearly the least busy, the load could land on another
-- lane's instance and split a lane's slots over two instances, so that is the last resort.
local placed, pending
for l, p in pairs(placing) do
  if p.sent == 0 then placed, pending = l, p end
end
-- A further lane: the router loads a model on a further instance only while every instance holding it is
-- full, and then on the one of the others with the fewest outstanding requests. So the warm-up goes once
-- the model's lanes run all their slots and the held lane has two free and is clearly the least busy of
-- the others (any idle lane is as good as another); a placement that finds no such moment within its wait
-- is given up.
if placed and pending.further then
  local m = pending.model
  local full = true
  for _, k in ipairs(laneList(m)) do
    if laneStarted[k] < slots then full = false end
  end
  -- Two slots free there (the lane is held below its slots meanwhile), and two fewer than each other lane
  -- but those idle as well (a momentary gap between two invocations elsewhere stays within that margin).
  local least = outstanding(placed) + 2 <= slots
  for k = 0, laneCount - 1 do
    local bothIdle = laneAll[placed] == 0 and outstanding(placed) == 0 and laneAll[k] == 0 and outstanding(k) == 0
    if k ~= placed and not laneSet[m][k] and not bothIdle and outstanding(placed) + 2 > laneStarted[k] then
      least = false
    end
  end
  if full and least then
    warmUp(m, placed, true)
    pending.sent = now
    redis.call('HSET', KEYS[12], placed, '+' .. m .. '|' .. pending.decided .. '|' .. now)
  elseif now - pending.decided >= placeWaitMs then
    redis.call('HDEL', KEYS[12], placed)
    placing[placed] = nil
  end
  placed = nil
end
if placed then
  local target = leastLane()
  local waited = now - pending.decided
  -- No lane clearly the least busy for that long: the lane held for it, as a last resort.
  if target == nil and waited >= 2 * placeWaitMs then target = placed end
  local wants = target ~= nil and target ~= placed and future[target] <= prewarmAt and not laneWarming[target]
    and not placing[target]
  if target ~= nil and (target == placed or wants or waited >= placeWaitMs) then
    if target ~= placed then
      redis.call('HDEL', KEYS[12], placed)
      placing[placed] = nil
      placing[target] = pending
    end
    warmUp(pending.model, target)
    pending.sent = now
    redis.call('HSET', KEYS[12], target, pending.model .. '|' .. pending.decided .. '|' .. now)
  end
end
table.insert(out, '|')
-- A finishing invocation hands its slot over to its model's next job in the worker, without a release
-- step: not while a tenant with work waiting holds nothing, nor while the model's tenant holds two
-- invocations more for its weight than the tenant holding least (the slot goes by the release order then).
local leastShare = (tenantOrder()[1] or {})[3]
for m, _ in pairs(laneOf) do
  local t = modelTenant[m]
  local isHeld = tenantWaitsIdle
    or (t ~= nil and leastShare ~= nil and (tenantRunning[t] or 0) / weightOf(t) - leastShare >= 2)
  for _, l in ipairs(laneList(m)) do
    -- The model being given a further lane keeps its slots: they must stay full for the router.
    if placing[l] and not (placing[l].further and placing[l].model == m) then isHeld = true end
  end
  if isHeld and (running[m] or 0) > 0 then table.insert(out, m) end
end
table.insert(out, '|')
if gatherLeft then table.insert(out, tostring(gatherLeft)) end
return out
