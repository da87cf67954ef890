-- Releases a lock only while it is still held by the caller (compare-and-delete): a lock whose TTL ran
-- out may belong to another process by now, and deleting it by name would let a third one in beside it.
-- KEYS: the lock. ARGV: the holder token written when the lock was taken.
-- Returns 1 released, 0 not ours (or gone).
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
