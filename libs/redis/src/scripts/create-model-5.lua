-- Writes a new model record (JSON), its per-tenant index entry, its active-index entry and `model.queued`.
-- KEYS: record, tenant index, active index, tenant stream, global stream.
-- ARGV: record JSON, model id, created score, index member, updated score, event maxLen, event payload.
--- @include "append-event"
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
appendEvent(KEYS[4], KEYS[5], ARGV[6], ARGV[7])
return 1
