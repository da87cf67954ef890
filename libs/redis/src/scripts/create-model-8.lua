-- Writes a new model record (JSON), its per-tenant index entry, its active-index entry and `model.queued`,
-- if the tenant's concurrent-trainings quota has room; the training then counts until it ends.
-- KEYS: record, tenant index, active index, tenant stream, global stream, quota limits, usage, images.
-- ARGV: record JSON, model id, created score, index member, updated score, event maxLen, event payload,
--       then the quota defaults (queuedItems, concurrentTrainings, imagesPerMinute).
-- Returns 1 created, or the quota refusal (nothing written).
--- @include "append-event"
--- @include "tenant-quota"
local q = tenantQuota(KEYS[6], KEYS[7], KEYS[8], ARGV[8], ARGV[9], ARGV[10])
local refused = quotaRefusal(q, 0, 1, 0)
if refused then return refused end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
appendEvent(KEYS[4], KEYS[5], ARGV[6], ARGV[7])
quotaTake(q, 0, 1, 0)
return 1
