-- Removes one job-search entry from every facet, re-checking it first (safe next to the indexer and to
-- other pruners).
-- KEYS: entry, all, tenant, model (or the entry key when there is none), status, kind.
-- ARGV: id, cutoff (exclusive), and the status, tenant, model and kind the caller read.
-- Returns 1 removed, 2 already removed (another pruner), 0 changed since (now recent: keep),
-- -1 changed since (still old: the next batch reads it again). A hash without its `all` member never exists;
-- an `all` member without its hash (removed by hand) is dropped.
local h = redis.call('HMGET', KEYS[1], 'updatedAt', 'status', 'tenantId', 'modelId', 'kind')
if not h[1] then
  if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then return 1 end
  return 2
end
if tonumber(h[1]) >= tonumber(ARGV[2]) then return 0 end
if h[2] ~= ARGV[3] or h[3] ~= ARGV[4] or (h[4] or '') ~= ARGV[5] or h[5] ~= ARGV[6] then return -1 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if ARGV[5] ~= '' then redis.call('ZREM', KEYS[4], ARGV[1]) end
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('DEL', KEYS[1])
return 1
