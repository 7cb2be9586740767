-- Settlement holds. KEYS: 1 campaign hash. ARGV: 1 key prefix, 2 action, 3 orderId or merchantId.
-- release: held -> owed. clawback: owed|held -> clawed_back, the subsidy returns to the budget.
-- hold_merchant: every owed order of the merchant -> held; returns how many.
local p = ARGV[1]
if ARGV[2] == 'hold_merchant' then
  local n = 0
  for _, orderId in ipairs(redis.call('SMEMBERS', p .. 'mo:' .. ARGV[3])) do
    local k = p .. 'ord:' .. orderId
    if redis.call('HGET', k, 'st') == 'owed' then
      redis.call('HSET', k, 'st', 'held')
      n = n + 1
    end
  end
  return {'held', tostring(n)}
end
local k = p .. 'ord:' .. ARGV[3]
local o = redis.call('HMGET', k, 'st', 'sub', 'kind')
if o[3] ~= 'redeemed' then return {'not_found', ''} end
if ARGV[2] == 'release' then
  if o[1] ~= 'held' then return {'not_held', o[1]} end
  redis.call('HSET', k, 'st', 'owed')
  return {'released', ''}
end
if o[1] == 'clawed_back' then return {'not_held', o[1]} end
redis.call('HINCRBY', KEYS[1], 'budget', o[2])
redis.call('HSET', k, 'st', 'clawed_back', 'sub', '0')
return {'clawed_back', ''}
