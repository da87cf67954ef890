-- Check-and-set upsert of one job-search entry: the caller read the entry's status; if it changed meanwhile
-- the script returns -1 and the caller retries. 0: the entry already reflects a newer event.
-- KEYS: entry, all, tenant, kind, new status, old status, model (or the entry key).
-- ARGV: id, event id, score, old status, new status, type, kind, tenant, model ('' = none).
local function newer(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am > bm or (am == bm and as > bs)
end
local cur = redis.call('HMGET', KEYS[1], 'eventId', 'status')
if cur[1] and not newer(ARGV[2], cur[1]) then return 0 end
if (cur[2] or '') ~= ARGV[4] then return -1 end
local score = ARGV[3]
if cur[2] and cur[2] ~= ARGV[5] then redis.call('ZREM', KEYS[6], ARGV[1]) end
redis.call('HSET', KEYS[1], 'eventId', ARGV[2], 'status', ARGV[5], 'updatedAt', score, 'type', ARGV[6],
  'kind', ARGV[7], 'tenantId', ARGV[8], 'id', ARGV[1])
redis.call('HSETNX', KEYS[1], 'createdAt', score)
if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'modelId', ARGV[9]); redis.call('ZADD', KEYS[7], score, ARGV[1]) end
for i = 2, 5 do redis.call('ZADD', KEYS[i], score, ARGV[1]) end
return 1
