-- A model record changes only if it still holds the JSON the caller read (compare-and-set), with its
-- active-index entry, its event and the tenant's training count in the same step: a training that ends
-- (or is revived) moves the count exactly once, because only one compare-and-set from a status applies.
-- KEYS: record, active index, tenant stream, global stream, quota usage.
-- ARGV: expected JSON, next JSON, index member, index op (add|rem), now ms, event maxLen, event payload
--       ('' = no event), change of the running-trainings count (-1, 0, 1).
-- Returns 1 applied, 0 changed since it was read.
--- @include "append-event"
--- @include "tenant-quota"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[4] == 'add' then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[3]) else redis.call('ZREM', KEYS[2], ARGV[3]) end
if ARGV[7] ~= '' then appendEvent(KEYS[3], KEYS[4], ARGV[6], ARGV[7]) end
quotaAdjust(KEYS[5], 'trainings', tonumber(ARGV[8]))
return 1
