-- Trims a stream shared by consumer groups down to about ARGV[1] entries, but never past an entry that a
-- group has not acknowledged: the floor is, over every group, its oldest pending entry or, with nothing
-- pending, its last-delivered id (entries after it are not delivered yet). A group that falls behind holds
-- the stream (it grows) instead of losing events.
-- KEYS: the stream. ARGV: entries to keep (at least 1), entries to remove at most per call.
-- Returns {removed, length after, name of the group that held the trim or ''}.
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function less(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end

local keep = tonumber(ARGV[1])
local len = redis.call('XLEN', KEYS[1])
local excess = len - keep
if excess <= 0 then return {0, len, ''} end

local floor, holder = nil, ''
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for j = 1, #group, 2 do info[group[j]] = group[j + 1] end
  local candidate = info['last-delivered-id']
  if tonumber(info['pending']) > 0 then candidate = redis.call('XPENDING', KEYS[1], info['name'])[2] end
  if floor == nil or less(candidate, floor) then floor, holder = candidate, info['name'] end
end

local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1][1]
if floor ~= nil and not less(first, floor) then return {0, len, holder} end

local n = math.min(excess, tonumber(ARGV[2]))
local rows = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', n + 1)
local target = rows[n + 1][1]
local held = ''
if floor ~= nil and less(floor, target) then target, held = floor, holder end
local removed = redis.call('XTRIM', KEYS[1], 'MINID', target)
return {removed, len - removed, held}
