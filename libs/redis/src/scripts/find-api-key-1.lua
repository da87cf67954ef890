-- KEYS: `apikey:<sha256>` (→ key id). ARGV: the record key prefix (`…:apikeys:`); the record key it builds
-- shares the hash tag of KEYS[1], so the script stays on one slot. Replies the record's fields (with its
-- hash, which the caller compares), or an empty list.
local id = redis.call('GET', KEYS[1])
if not id then return {} end
return redis.call('HGETALL', ARGV[1] .. id)
