-- A tenant's quotas, checked and taken inside the script that accepts the work they count: concurrent
-- requests cannot overshoot, and a refused request writes nothing.
-- Keys: the limits hash an admin sets (queuedItems, concurrentTrainings, imagesPerMinute); the usage hash
-- (queuedItems, trainings), raised by the accept and lowered by the one transition that ends the work; the
-- images window, 60 one-second slots (field = second mod 60, value = "<second>:<count>"), so it never
-- holds more than 60 fields. A limit the tenant has no value for falls back to the operator default
-- ('' = unlimited). Usage is counted whether or not a limit is set, so a limit set later is right at once.
-- A refusal is {'quota_exceeded', quota, limit, usage, requested, retryAfterMs}: retryAfterMs is -1 when
-- the request alone exceeds the limit, 0 when the wait is unknown (it depends on work finishing).
local function tenantQuota(limitsKey, usageKey, imagesKey, defaultItems, defaultTrainings, defaultImages)
  local t = redis.call('TIME')
  local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local own = redis.call('HMGET', limitsKey, 'queuedItems', 'concurrentTrainings', 'imagesPerMinute')
  return {
    limits = limitsKey, usage = usageKey, images = imagesKey, nowMs = nowMs, nowSec = math.floor(nowMs / 1000),
    own = { queuedItems = own[1], concurrentTrainings = own[2], imagesPerMinute = own[3] },
    defaults = { queuedItems = defaultItems, concurrentTrainings = defaultTrainings, imagesPerMinute = defaultImages },
  }
end

local function quotaLimit(q, name)
  local value = q.own[name]
  if value then return tonumber(value) end
  local default = q.defaults[name]
  if default ~= nil and default ~= '' then return tonumber(default) end
  return nil
end

local function quotaUsage(q, field)
  return tonumber(redis.call('HGET', q.usage, field)) or 0
end

-- Images accepted in the last 60 seconds (this second included) and their live slots {second, count}.
local function quotaImagesInWindow(q)
  local used, slots = 0, {}
  for _, value in ipairs(redis.call('HVALS', q.images)) do
    local sec, count = string.match(value, '^(%d+):(%d+)$')
    sec, count = tonumber(sec), tonumber(count)
    if sec and sec > q.nowSec - 60 then
      used = used + count
      slots[#slots + 1] = { sec, count }
    end
  end
  return used, slots
end

-- Milliseconds until the oldest slots have left the window and `excess` images of room are free.
local function quotaImagesWait(q, slots, excess)
  table.sort(slots, function(a, b) return a[1] < b[1] end)
  local freed = 0
  for _, slot in ipairs(slots) do
    freed = freed + slot[2]
    if freed >= excess then return math.max(1, (slot[1] + 60) * 1000 - q.nowMs) end
  end
  return 60000
end

local function quotaCounted(q, name, field, requested)
  if requested <= 0 then return nil end
  local limit = quotaLimit(q, name)
  if not limit then return nil end
  local used = quotaUsage(q, field)
  if used + requested <= limit then return nil end
  return { 'quota_exceeded', name, limit, used, requested, requested > limit and -1 or 0 }
end

-- nil when `items` queued items, `trainings` trainings and `images` images fit; else the refusal.
local function quotaRefusal(q, items, trainings, images)
  local refused = quotaCounted(q, 'queuedItems', 'queuedItems', items)
    or quotaCounted(q, 'concurrentTrainings', 'trainings', trainings)
  if refused then return refused end
  local perMinute = images > 0 and quotaLimit(q, 'imagesPerMinute')
  if perMinute then
    local used, slots = quotaImagesInWindow(q)
    if used + images > perMinute then
      local wait = images > perMinute and -1 or quotaImagesWait(q, slots, used + images - perMinute)
      return { 'quota_exceeded', 'imagesPerMinute', perMinute, used, images, wait }
    end
  end
  return nil
end

-- Adds `delta` to a usage counter; never below zero (work accepted before usage was counted ends too).
local function quotaAdjust(usageKey, field, delta)
  if delta == 0 then return end
  if redis.call('HINCRBY', usageKey, field, delta) < 0 then redis.call('HSET', usageKey, field, 0) end
end

local function quotaTake(q, items, trainings, images)
  quotaAdjust(q.usage, 'queuedItems', items)
  quotaAdjust(q.usage, 'trainings', trainings)
  if images > 0 then
    local slot = tostring(q.nowSec % 60)
    local sec, count = string.match(redis.call('HGET', q.images, slot) or '', '^(%d+):(%d+)$')
    local total = (tonumber(sec) == q.nowSec) and (tonumber(count) + images) or images
    redis.call('HSET', q.images, slot, q.nowSec .. ':' .. total)
    redis.call('EXPIRE', q.images, 120)
  end
end
