-- Binds accounts to persons for one campaign; a re-import changes nothing, a different person for
-- a bound account is a conflict. An account on the block list is bound with the ":B" mark the
-- claim script reads. Bindings are e:<userId> fields of the campaign hash. KEYS: 1 campaign hash, 2 outbox stream, 3 the campaign's blocked set.
-- ARGV: triples of userId, "idHash:phoneHash", event JSON.
local out = {}
for i = 1, #ARGV, 3 do
  local bound = redis.call('HGET', KEYS[1], 'e:' .. ARGV[i])
  if not bound then
    local value = ARGV[i + 1]
    if redis.call('SISMEMBER', KEYS[3], ARGV[i]) == 1 then value = value .. ':B' end
    redis.call('HSET', KEYS[1], 'e:' .. ARGV[i], value)
    redis.call('XADD', KEYS[2], '*', 'e', ARGV[i + 2])
    out[#out + 1] = 'granted'
  elseif string.sub(bound, 1, string.find(bound, ':', 1, true)) == string.sub(ARGV[i + 1], 1, string.find(ARGV[i + 1], ':', 1, true)) then
    out[#out + 1] = 'unchanged'
  else
    out[#out + 1] = 'conflict'
  end
end
return out
