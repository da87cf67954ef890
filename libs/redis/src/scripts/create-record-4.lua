-- Creates a resource hash unless it exists (its `status` field is set), with its TTL, its active-index
-- entry and its first event, in one step. A hash without `status` is a creation that stopped half-way
-- (versions that wrote the fields in separate commands could crash between them): it is replaced.
-- KEYS: resource hash, active index, tenant stream, global stream.
-- ARGV: retention seconds, index score, index member, event maxLen, event payload, then field/value pairs.
-- Returns 1 created, 0 already there (nothing written).
--- @include "append-event"
if redis.call('HEXISTS', KEYS[1], 'status') == 1 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
appendEvent(KEYS[3], KEYS[4], ARGV[4], ARGV[5])
return 1
