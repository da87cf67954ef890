-- Creates a batch record (see includes/create-record.lua) with `batch.queued`, if the tenant's quotas have
-- room for its items: they count as queued items until each has an outcome, and as images accepted now.
-- A batch already there (a retried intake resuming it) was counted by its first attempt: nothing changes.
-- KEYS: batch hash, active index, tenant stream, global stream, quota limits, usage, images.
-- ARGV: retention seconds, index score, index member, event maxLen, event payload, the quota defaults
--       (queuedItems, concurrentTrainings, imagesPerMinute), the item count, then the record's field/value pairs.
-- Returns 1 created, 0 already there, or the quota refusal (nothing written).
--- @include "append-event"
--- @include "create-record"
--- @include "tenant-quota"
if redis.call('HEXISTS', KEYS[1], 'status') == 1 then return 0 end
local items = tonumber(ARGV[9])
local q = tenantQuota(KEYS[5], KEYS[6], KEYS[7], ARGV[6], ARGV[7], ARGV[8])
local refused = quotaRefusal(q, items, 0, items)
if refused then return refused end
createRecord(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], { unpack(ARGV, 10) })
appendEvent(KEYS[3], KEYS[4], ARGV[4], ARGV[5])
quotaTake(q, items, 0, items)
return 1
