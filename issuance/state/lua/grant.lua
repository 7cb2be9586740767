-- Binds accounts to persons for one campaign; a re-import changes nothing, a different person for
-- a bound account is a conflict. KEYS: 1 eligibility hash, 2 outbox stream.
-- ARGV: triples of userId, "idHash:phoneHash", event JSON.
local out = {}
for i = 1, #ARGV, 3 do
  local bound = redis.call('HGET', KEYS[1], ARGV[i])
  if not bound then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    redis.call('XADD', KEYS[2], '*', 'e', ARGV[i + 2])
    out[#out + 1] = 'granted'
  elseif string.sub(bound, 1, string.find(bound, ':', 1, true)) == string.sub(ARGV[i + 1], 1, string.find(ARGV[i + 1], ':', 1, true)) then
    out[#out + 1] = 'unchanged'
  else
    out[#out + 1] = 'conflict'
  end
end
return out
