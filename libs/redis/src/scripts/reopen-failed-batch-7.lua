-- Re-opens a completed batch for its failed items, if the tenant's quotas have room for them (they queue
-- again and make images again): their states are cleared (their retry specs stay until they succeed), the
-- failed counter is reset and the round advances, so new job ids never collide with the old round's; the
-- batch re-enters the active index.
-- KEYS: batch, item-state, retry-spec, active index, quota limits, usage, images.
-- ARGV: index member, now (ms), then the quota defaults (queuedItems, concurrentTrainings, imagesPerMinute).
-- Returns {round, items}, {-1, status} when not completed, or the quota refusal (nothing changed).
--- @include "tenant-quota"
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'completed' then return {-1, status or ''} end
local indices = redis.call('HKEYS', KEYS[3])
if #indices == 0 then return {0, 0} end
local q = tenantQuota(KEYS[5], KEYS[6], KEYS[7], ARGV[3], ARGV[4], ARGV[5])
local refused = quotaRefusal(q, #indices, 0, #indices)
if refused then return refused end
for _, idx in ipairs(indices) do redis.call('HDEL', KEYS[2], idx) end
local failed = tonumber(redis.call('HGET', KEYS[1], 'failed')) or 0
redis.call('HSET', KEYS[1], 'failed', math.max(0, failed - #indices), 'status', 'running')
redis.call('HDEL', KEYS[1], 'finishedAt')
local round = redis.call('HINCRBY', KEYS[1], 'round', 1)
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
quotaTake(q, #indices, 0, #indices)
return {round, #indices}
