-- Adds one invocation's GPU time to the cost ledger, at most once per invocation: the invocation's id is
-- set in the resource's usage hash (HSETNX) in the same step as every counter moves, so a job that runs
-- again after recording (a crash before it completed) changes nothing. The usage hash lives as long as the
-- resource's record (one small field per invocation), so dedupe memory is bounded by what is retained.
-- KEYS: resource record (generation or batch hash, model string), its usage hash, tenant totals hash,
--       tenant per-model hash, tenant day hash, tenants sorted set (score: the tenant's total ms).
-- ARGV: invocation id, tenant id, kind (generate|train), model id, milliseconds, rows (images),
--       day retention seconds, dedupe TTL seconds when the resource record has none.
-- Returns 1 recorded, 0 already recorded.
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[5]) == 0 then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) else redis.call('EXPIRE', KEYS[2], ARGV[8]) end
local kind, model, ms, rows = ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
for _, key in ipairs({ KEYS[3], KEYS[5] }) do
  redis.call('HINCRBY', key, kind .. ':ms', ms)
  redis.call('HINCRBY', key, kind .. ':invocations', 1)
  if rows > 0 then redis.call('HINCRBY', key, kind .. ':images', rows) end
end
redis.call('EXPIRE', KEYS[5], ARGV[7])
redis.call('HINCRBY', KEYS[4], model .. ':' .. kind .. ':ms', ms)
redis.call('HINCRBY', KEYS[4], model .. ':' .. kind .. ':invocations', 1)
if rows > 0 then redis.call('HINCRBY', KEYS[4], model .. ':' .. kind .. ':images', rows) end
redis.call('ZINCRBY', KEYS[6], ms, ARGV[2])
-- Generation and batch records (hashes) carry their own total; a model record (a JSON string) does not, and
-- a record that expired is not re-created as a hash of one field.
if redis.call('TYPE', KEYS[1]).ok == 'hash' then redis.call('HINCRBY', KEYS[1], 'gpuMs', ms) end
return 1
