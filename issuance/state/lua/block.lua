-- Puts an account on a campaign's block list and marks its binding, so a claim needs no extra
-- lookup. KEYS: 1 campaign hash (bindings are e:<userId> fields), 2 blocked set. ARGV: 1 userId.
redis.call('SADD', KEYS[2], ARGV[1])
local bound = redis.call('HGET', KEYS[1], 'e:' .. ARGV[1])
if bound and string.sub(bound, -2) ~= ':B' then redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], bound .. ':B') end
return 1
