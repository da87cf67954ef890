-- A generation's intake in one step: checks that the model the request was built from is still that model
-- and ready, and that the tenant's quotas (queued items, images per minute) have room for its images, then
-- adds its job to the queue as BullMQ would (includes/add-prioritized-job.lua), creates the generation record
-- (includes/create-record.lua), appends `generation.queued`, takes the quotas and raises the model's demand
-- counter. The record and its job are written together or not at all: the job's add comes first, and its
-- first write (the queue's id counter) is the one that can fail. When the model is missing or differs in any
-- field the record was built from (status, TargetModel, artifact ETag, trigger phrase), nothing is written
-- and the model's stored JSON is returned, so the caller answers 404/409 or builds the record again from it;
-- over a quota, nothing is written and the refusal is returned (see tenant-quota). A created generation also
-- returns its queue position: its job's rank among the queue's prioritized jobs.
-- KEYS: model record (JSON), generation hash, active index, demand hash, tenant stream, global stream,
--       quota limits, usage, images, then the job's keys (marker, meta, id, prioritized, active, events, pc,
--       job hash; see add-prioritized-job).
-- ARGV: expected TargetModel, expected artifact ETag, expected trigger phrase, retention seconds, index score,
--       index member, demand idle seconds, event maxLen, event payload, the quota defaults (queuedItems,
--       concurrentTrainings, imagesPerMinute), the number of images, the job's arguments (id, name, data,
--       opts, timestamp, priority), then the record's field/value pairs as one JSON array of strings.
-- A model recorded without its artifact ETag (registered before the ETag was recorded) accepts the caller's,
-- which the caller read from S3.
-- Returns {1, jobs waiting ahead} created, {0, model JSON or false} model missing or changed, {-1} generation
-- or its job already there, or the quota refusal.
--- @include "add-prioritized-job"
--- @include "append-event"
--- @include "create-record"
--- @include "tenant-quota"
local stored = redis.call('GET', KEYS[1])
if not stored then return { 0, false } end
local model = cjson.decode(stored)
if model.status ~= 'ready' or model.targetModel ~= ARGV[1] or (model.artifactEtag or ARGV[2]) ~= ARGV[2]
    or (model.triggerPhrase or '') ~= ARGV[3] then
  return { 0, stored }
end
if redis.call('HEXISTS', KEYS[2], 'status') == 1 or redis.call('EXISTS', KEYS[17]) == 1 then return { -1 } end
local images = tonumber(ARGV[13])
local q = tenantQuota(KEYS[7], KEYS[8], KEYS[9], ARGV[10], ARGV[11], ARGV[12])
local refused = quotaRefusal(q, images, 0, images)
if refused then return refused end
-- Decoded before the first write: a record that is not JSON fails the script with nothing written.
local fields = cjson.decode(ARGV[20])
addPrioritizedJob({ unpack(KEYS, 10, 17) }, ARGV[14], ARGV[15], ARGV[16], ARGV[17], ARGV[18], ARGV[19])
createRecord(KEYS[2], KEYS[3], ARGV[4], ARGV[5], ARGV[6], fields)
appendEvent(KEYS[5], KEYS[6], ARGV[8], ARGV[9])
quotaTake(q, images, 0, images)
redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
redis.call('EXPIRE', KEYS[4], ARGV[7])
return { 1, redis.call('ZRANK', KEYS[13], ARGV[14]) }
