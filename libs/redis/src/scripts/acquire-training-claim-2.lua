-- KEYS: job lock, claim. ARGV: lock token ('' = skip the lock check), claim JSON, ttl seconds.
-- Returns {-1, ''} lock lost, {1, ''} acquired, {0, existing claim JSON}.
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1, ''} end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3]) then return {1, ''} end
return {0, redis.call('GET', KEYS[2])}
