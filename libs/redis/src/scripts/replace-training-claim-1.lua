-- KEYS: claim. ARGV: expected inference id, new JSON ('' = delete), ttl seconds. Returns 1 when replaced.
local raw = redis.call('GET', KEYS[1])
if not raw or cjson.decode(raw).inferenceId ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
return 1
