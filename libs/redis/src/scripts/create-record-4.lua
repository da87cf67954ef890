-- Creates a resource hash (see includes/create-record.lua) with its first event, in one step.
-- KEYS: resource hash, active index, tenant stream, global stream.
-- ARGV: retention seconds, index score, index member, event maxLen, event payload, then field/value pairs.
-- Returns 1 created, 0 already there (nothing written).
--- @include "append-event"
--- @include "create-record"
if not createRecord(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], { unpack(ARGV, 6) }) then return 0 end
appendEvent(KEYS[3], KEYS[4], ARGV[4], ARGV[5])
return 1
