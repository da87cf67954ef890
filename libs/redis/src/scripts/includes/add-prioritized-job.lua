-- Adds a prioritized job exactly as BullMQ 6.7's `addPrioritizedJob-9.lua` does for the jobs dreamqueue adds
-- this way (a custom id, no parent, no deduplication, no delay, no repeat), so a script that accepts work can
-- write its job in the same step as its records: the queue's id counter, the job hash (name, data, opts,
-- timestamp, delay, priority), `added` and `waiting` on the queue's event stream (trimmed to its
-- `opts.maxLenEvents`), the prioritized set scored `priority × 2³² + the priority counter`, and the marker
-- that wakes a worker unless the queue is paused or at its global concurrency. The JavaScript half, and the
-- key and argument order, is `prioritizedJobWriter` in `bullmq-adapter.ts`; `bullmq-adapter.int.spec.ts`
-- compares both against `queue.add` on the installed BullMQ.
-- The counter increment comes first, before any other write: it is the one command here that fails on data
-- (a counter that is not an integer), so a failing add leaves the caller's writes undone too.
-- keys: { marker, meta, id, prioritized, active, events, pc, job hash }; the caller checks that the job hash
-- does not exist yet. Returns nothing.
local function addPrioritizedJob(keys, jobId, name, data, opts, timestamp, priority)
  redis.call('INCR', keys[3])
  local maxEvents = redis.call('HGET', keys[2], 'opts.maxLenEvents')
  if not maxEvents then
    maxEvents = 10000
    redis.call('HSET', keys[2], 'opts.maxLenEvents', maxEvents)
  end
  redis.call('HMSET', keys[8], 'name', name, 'data', data, 'opts', opts, 'timestamp', timestamp, 'delay', 0,
    'priority', priority)
  redis.call('XADD', keys[6], '*', 'event', 'added', 'jobId', jobId, 'name', name)
  local queue = redis.call('HMGET', keys[2], 'paused', 'concurrency')
  local pausedOrMaxed = queue[1] ~= false
    or (queue[2] ~= false and redis.call('LLEN', keys[5]) >= tonumber(queue[2]))
  local counter = redis.call('INCR', keys[7])
  redis.call('ZADD', keys[4], tonumber(priority) * 0x100000000 + counter % 0x100000000, jobId)
  if not pausedOrMaxed then redis.call('ZADD', keys[1], 0, '0') end
  redis.call('XADD', keys[6], 'MAXLEN', '~', maxEvents, '*', 'event', 'waiting', 'jobId', jobId)
end
