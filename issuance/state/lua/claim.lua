-- One claim, atomically: idempotency, campaign/batch window, eligibility, block list, risk answer,
-- per-person limits (keyed by the person's idHash), stock and budget, then the wallet insert and
-- the outbox XADD. Time is ARGV (the caller's injected Clock), never Redis TIME, so tests and
-- replays are deterministic. Numbers are written back with %d: Lua's default number formatting
-- would turn large fen amounts into exponent notation.
-- KEYS: 1 campaign hash, 2 idempotency key, 3 eligibility hash, 4 person hash, 5 blocked set,
--       6 coupon hash, 7 wallet list, 8 outbox stream
-- ARGV: 1 fingerprint, 2 couponTypeId, 3 userId, 4 idHash, 5 nowMs, 6 risk decision,
--       7 risk reasons (comma separated), 8 couponId, 9 claimId, 10 event JSON, 11 idempotency TTL s
local prior = redis.call('GET', KEYS[2])
if prior then
  local sep = string.find(prior, '\n', 1, true)
  if string.sub(prior, 1, sep - 1) == ARGV[1] then return {'replay', string.sub(prior, sep + 1)} end
  return {'duplicate', 'idempotency_key_reused'}
end
local t = 't:' .. ARGV[2]
local conf = redis.call('HMGET', KEYS[1], 'status', t .. ':b', t .. ':d', t .. ':cf', t .. ':cu', 'lp', 'lt', 'lb', 'stock:' .. ARGV[2], 'budget')
if conf[1] ~= 'published' then return {'not_eligible', 'campaign_not_published'} end
if not conf[2] then return {'not_open', 'unknown_coupon_type'} end
local now = tonumber(ARGV[5])
if now < tonumber(conf[4]) then return {'not_open', 'before_drop'} end
if now >= tonumber(conf[5]) then return {'not_open', 'batch_ended'} end
local bound = redis.call('HGET', KEYS[3], ARGV[3])
if not bound then return {'not_eligible', 'no_eligibility'} end
local idHash = ARGV[4]
if string.sub(bound, 1, #idHash + 1) ~= idHash .. ':' then return {'stale_identity', ''} end
if redis.call('SISMEMBER', KEYS[5], ARGV[3]) == 1 then return {'blocked', 'user_blocked', 'USER.BLOCKLISTED'} end
if ARGV[6] == 'block' then return {'blocked', 'risk', ARGV[7]} end
local batch = conf[2]
local counts = redis.call('HMGET', KEYS[4], 'total', t, 'b:' .. batch)
local total, perType, perBatch = tonumber(counts[1]) or 0, tonumber(counts[2]) or 0, tonumber(counts[3]) or 0
local lp, lt, lb = tonumber(conf[6]), tonumber(conf[7]), tonumber(conf[8])
if lp > 0 and total >= lp then return {'limit_reached', 'per_person'} end
if lt > 0 and perType >= lt then return {'limit_reached', 'per_type'} end
if lb > 0 and perBatch >= lb then return {'limit_reached', 'per_batch'} end
local stock = tonumber(conf[9]) or 0
if stock <= 0 then return {'sold_out', 'stock'} end
local discount = tonumber(conf[3])
local budget = tonumber(conf[10]) or 0
if budget < discount then return {'sold_out', 'budget'} end
redis.call('HSET', KEYS[1], 'stock:' .. ARGV[2], string.format('%d', stock - 1), 'budget', string.format('%d', budget - discount))
redis.call('HSET', KEYS[4], 'total', total + 1, t, perType + 1, 'b:' .. batch, perBatch + 1)
redis.call('HSET', KEYS[6], 'u', ARGV[3], 'h', idHash, 't', ARGV[2], 'b', batch, 'd', conf[3], 's', 'unused', 'at', ARGV[5])
redis.call('RPUSH', KEYS[7], ARGV[8])
redis.call('XADD', KEYS[8], '*', 'e', ARGV[10])
local answer = 'granted|' .. ARGV[8] .. '|' .. ARGV[9] .. '|' .. batch
redis.call('SET', KEYS[2], ARGV[1] .. '\n' .. answer, 'EX', ARGV[11])
return {'granted', ARGV[8], ARGV[9], batch}
