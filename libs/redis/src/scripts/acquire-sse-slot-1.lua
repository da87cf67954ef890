-- Drop expired slots, then take one if fewer than ARGV[2] are held. A slot is a member scored by its expiry.
-- KEYS: the tenant's slot set. ARGV: now (ms), max slots, expiry (ms), connection id, set ttl (ms).
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
