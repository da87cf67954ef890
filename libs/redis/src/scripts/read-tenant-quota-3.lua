-- A tenant's own limits and its usage, read at one instant.
-- KEYS: limits, usage, images window.
-- Returns {queuedItems limit, concurrentTrainings limit, imagesPerMinute limit ('' = not set),
--          queued items, trainings, images in the last 60 seconds}.
--- @include "tenant-quota"
local q = tenantQuota(KEYS[1], KEYS[2], KEYS[3], '', '', '')
local images = quotaImagesInWindow(q)
return {
  q.own.queuedItems or '', q.own.concurrentTrainings or '', q.own.imagesPerMinute or '',
  quotaUsage(q, 'queuedItems'), quotaUsage(q, 'trainings'), images,
}
