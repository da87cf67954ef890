-- Creates a resource hash unless it exists (its `status` field is set), with its TTL and its active-index
-- entry. A hash without `status` is a creation that stopped half-way (versions that wrote the fields in
-- separate commands could crash between them): it is replaced. `fields` are the hash's field/value pairs.
-- Returns true when created, false when it was already there (nothing written).
local function createRecord(hashKey, indexKey, retentionSeconds, indexScore, indexMember, fields)
  if redis.call('HEXISTS', hashKey, 'status') == 1 then return false end
  redis.call('DEL', hashKey)
  redis.call('HSET', hashKey, unpack(fields))
  redis.call('EXPIRE', hashKey, retentionSeconds)
  redis.call('ZADD', indexKey, indexScore, indexMember)
  return true
end
