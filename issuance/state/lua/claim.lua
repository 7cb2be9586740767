-- One claim, atomically: idempotency, campaign/batch window, eligibility, block list, risk answer,
-- per-person limits (keyed by the person's idHash), stock and budget, then the wallet insert and
-- the outbox XADD. Time is ARGV (the caller's injected Clock), never Redis TIME, so tests and
-- replays are deterministic. Numbers are written back with %d: Lua's default number formatting
-- would turn large fen amounts into exponent notation.
-- The layout serves the hot path: one HMGET reads everything a claim decides on and a grant costs
-- three writes (campaign hash, wallet hash, stream). The campaign hash therefore also holds the
-- account bindings (e:<userId>), the idempotency answers (k:<userId>:<key>), the per-person
-- counters (p:<idHash>:…) and the coupon-owner index (o:<couponId>).
-- The campaign's constants (batch, discount, claim window, limits) come in ARGV from the published
-- definition, which never changes once published; the script reads only what claims change.
-- KEYS: 1 campaign hash, 2 wallet hash, 3 outbox stream
-- ARGV: 1 couponTypeId, 2 userId, 3 idHash, 4 nowMs, 5 risk decision, 6 risk reasons (comma
--       separated), 7 couponId, 8 claimId, 9 event JSON, 10 idempotency key, 11 batchId,
--       12 discountFen, 13 claim opens (ms), 14 claim closes (ms), 15-17 limits per person,
--       per person and type, per person and batch (0 = none)
local p = 'p:' .. ARGV[3]
local batch = ARGV[11]
local idemField = 'k:' .. ARGV[2] .. ':' .. ARGV[10]
local pt, pk, pb = p .. ':n', p .. ':t:' .. ARGV[1], p .. ':b:' .. batch
local c = redis.call('HMGET', KEYS[1], idemField, 'status', 'stock:' .. ARGV[1], 'budget', pt, pk, pb, 'e:' .. ARGV[2])
if c[1] then
  local prior = c[1]
  local sep = string.find(prior, '|', 1, true)
  if string.sub(prior, 1, sep - 1) == ARGV[1] then return {'replay', string.sub(prior, sep + 1)} end
  return {'duplicate', 'idempotency_key_reused'}
end
if c[2] ~= 'published' then return {'not_eligible', 'campaign_not_published'} end
if not c[3] then return {'not_open', 'unknown_coupon_type'} end
local now = tonumber(ARGV[4])
if now < tonumber(ARGV[13]) then return {'not_open', 'before_drop'} end
if now >= tonumber(ARGV[14]) then return {'not_open', 'batch_ended'} end
local bound = c[8]
if not bound then return {'not_eligible', 'no_eligibility'} end
local idHash = ARGV[3]
if string.sub(bound, 1, #idHash + 1) ~= idHash .. ':' then return {'stale_identity', ''} end
if string.sub(bound, -2) == ':B' then return {'blocked', 'user_blocked', 'USER.BLOCKLISTED'} end
if ARGV[5] == 'block' then return {'blocked', 'risk', ARGV[6]} end
local total, perType, perBatch = tonumber(c[5]) or 0, tonumber(c[6]) or 0, tonumber(c[7]) or 0
local lp, lt, lb = tonumber(ARGV[15]), tonumber(ARGV[16]), tonumber(ARGV[17])
if lp > 0 and total >= lp then return {'limit_reached', 'per_person'} end
if lt > 0 and perType >= lt then return {'limit_reached', 'per_type'} end
if lb > 0 and perBatch >= lb then return {'limit_reached', 'per_batch'} end
local stock = tonumber(c[3])
if stock <= 0 then return {'sold_out', 'stock'} end
local discount = tonumber(ARGV[12])
local budget = tonumber(c[4]) or 0
if budget < discount then return {'sold_out', 'budget'} end
local answer = ARGV[7] .. '|' .. ARGV[8] .. '|' .. batch
redis.call('HSET', KEYS[1], 'stock:' .. ARGV[1], string.format('%d', stock - 1), 'budget', string.format('%d', budget - discount),
  pt, total + 1, pk, perType + 1, pb, perBatch + 1, 'o:' .. ARGV[7], ARGV[2], idemField, ARGV[1] .. '|' .. answer)
redis.call('HSET', KEYS[2], ARGV[7], ARGV[1] .. '|' .. batch .. '|unused|' .. ARGV[4] .. '|' .. idHash)
redis.call('XADD', KEYS[3], '*', 'e', ARGV[9])
return {'granted', ARGV[7], ARGV[8], batch}
