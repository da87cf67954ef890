-- KEYS: the tenant's secret list. ARGV: the first secret (JSON). Pushes it only when the tenant has none.
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('LPUSH', KEYS[1], ARGV[1])
  return 1
end
return 0
