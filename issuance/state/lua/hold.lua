-- Settlement holds. KEYS: 1 campaign hash, then the order hashes concerned.
-- ARGV: 1 action. release: held -> owed. clawback: owed|held -> clawed_back, the subsidy returns
-- to the budget. hold_merchant (ARGV[2] the merchant): marks the merchant blocked in this campaign,
-- which redeem.lua checks, and moves every owed order among KEYS[2..] to held, in one step, so no
-- redemption racing the block can land as owed. Returns how many were held.
if ARGV[1] == 'hold_merchant' then
  redis.call('HSET', KEYS[1], 'mb:' .. ARGV[2], '1')
  local n = 0
  for i = 2, #KEYS do
    if redis.call('HGET', KEYS[i], 'st') == 'owed' then
      redis.call('HSET', KEYS[i], 'st', 'held')
      n = n + 1
    end
  end
  return {'held', tostring(n)}
end
local k = KEYS[2]
local o = redis.call('HMGET', k, 'st', 'sub', 'kind')
if o[3] ~= 'redeemed' then return {'not_found', ''} end
if ARGV[1] == 'release' then
  if o[1] ~= 'held' then return {'not_held', o[1]} end
  redis.call('HSET', k, 'st', 'owed')
  return {'released', ''}
end
if o[1] == 'clawed_back' then return {'not_held', o[1]} end
redis.call('HINCRBY', KEYS[1], 'budget', o[2])
redis.call('HSET', k, 'st', 'clawed_back', 'sub', '0')
return {'clawed_back', ''}
