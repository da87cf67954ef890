-- Checks a tenant's quotas without taking anything: the early answer an intake gives before it reads an
-- upload or stores anything. The accept script checks again, atomically, and takes.
-- KEYS: limits, usage, images window. ARGV: default queuedItems, concurrentTrainings, imagesPerMinute
-- ('' = unlimited), then the items, trainings and images requested.
-- Returns 0 when they fit, else the refusal (see tenant-quota).
--- @include "tenant-quota"
local q = tenantQuota(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])
return quotaRefusal(q, tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])) or 0
