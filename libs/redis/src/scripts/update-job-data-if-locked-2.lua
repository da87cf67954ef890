-- A BullMQ job's data, written only while the lock still holds the caller's token.
-- KEYS: job lock, job hash (their layout is BullMQ's: see the BullMQ adapter). ARGV: token, data JSON.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], 'data', ARGV[2])
return 1
