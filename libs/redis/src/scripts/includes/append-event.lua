-- The one writer of a resource event: the payload comes from EventLog (field `e`), the tenant's stream
-- keeps about maxLen entries. The deployment-wide stream has no MAXLEN here: it is trimmed only behind its
-- consumer groups (trim-acknowledged-stream-1), so a group that falls behind never loses an event.
-- Returns the tenant stream id.
local function appendEvent(tenantStream, globalStream, maxLen, payload)
  local id = redis.call('XADD', tenantStream, 'MAXLEN', '~', maxLen, '*', 'e', payload)
  redis.call('XADD', globalStream, '*', 'e', payload)
  return id
end
