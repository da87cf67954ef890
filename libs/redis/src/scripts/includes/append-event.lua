-- The one writer of a resource event: the payload comes from EventLog (field `e`), the tenant's stream
-- keeps about maxLen entries and the deployment-wide stream ten times as many. Returns the tenant stream id.
local function appendEvent(tenantStream, globalStream, maxLen, payload)
  local id = redis.call('XADD', tenantStream, 'MAXLEN', '~', maxLen, '*', 'e', payload)
  redis.call('XADD', globalStream, 'MAXLEN', '~', tostring(tonumber(maxLen) * 10), '*', 'e', payload)
  return id
end
