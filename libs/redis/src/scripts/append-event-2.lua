-- Appends one resource event. KEYS: tenant stream, global stream. ARGV: maxLen, payload.
-- Returns the tenant stream id.
--- @include "append-event"
return appendEvent(KEYS[1], KEYS[2], ARGV[1], ARGV[2])
