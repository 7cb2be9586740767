-- One redemption (支付立减), atomically: order-id idempotency, the risk answer, coupon owner, state
-- and validity window, then the coupon is spent, the ledger row written and the event appended.
-- Static checks (merchant, category, district, threshold, BIN) ran before; only what concurrency can
-- change is decided here. All keys share the campaign's hash tag.
-- KEYS: 1 campaign hash, 2 order hash, 3 wallet hash, 4 campaign's order set, 5 merchant's order
--   set, 6 outbox stream. ARGV: 1 (unused), 2 orderId, 3 couponId, 4 userId, 5 merchantId,
--   6 fingerprint, 7 nowMs, 8 risk decision, 9 result JSON, 10 event JSON, 11 settlement status,
--   12 day, 13 redemptionId, 14 orderFen, 15 discountFen, 16 paidFen
local ordK = KEYS[2]
local prior = redis.call('HMGET', ordK, 'fp', 'r')
if prior[1] then
  if prior[1] == ARGV[6] then return {'replay', prior[2]} end
  return {'conflict', ''}
end
if ARGV[8] == 'block' then
  redis.call('HSET', ordK, 'fp', ARGV[6], 'r', ARGV[9], 'kind', 'blocked')
  return {'stored', ARGV[9]}
end
if redis.call('HEXISTS', KEYS[1], 'mb:' .. ARGV[5]) == 1 then return {'refused', 'MERCHANT_BLOCKED'} end
local walletK = KEYS[3]
local cpn = redis.call('HGET', walletK, ARGV[3])
if not cpn then
  if redis.call('HEXISTS', KEYS[1], 'o:' .. ARGV[3]) == 1 then return {'refused', 'COUPON_NOT_OWNED'} end
  return {'refused', 'COUPON_NOT_FOUND'}
end
-- wallet value: couponTypeId|batchId|status|claimedAtMs|idHash
local ctype, cbatch, cstatus, crest = string.match(cpn, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
if cstatus ~= 'unused' then return {'refused', 'COUPON_ALREADY_USED'} end
local t = 't:' .. ctype
local window = redis.call('HMGET', KEYS[1], t .. ':vf', t .. ':vu')
local now = tonumber(ARGV[7])
if now < tonumber(window[1]) then return {'refused', 'COUPON_NOT_YET_VALID'} end
if now >= tonumber(window[2]) then return {'refused', 'COUPON_EXPIRED'} end
redis.call('HSET', walletK, ARGV[3], ctype .. '|' .. cbatch .. '|used|' .. crest)
redis.call('HSET', ordK, 'fp', ARGV[6], 'r', ARGV[9], 'kind', 'redeemed', 'm', ARGV[5], 'u', ARGV[4], 'day', ARGV[12], 'cpn', ARGV[3],
  'rid', ARGV[13], 'order', ARGV[14], 'disc', ARGV[15], 'paid', ARGV[16], 'refunded', '0', 'sub', ARGV[15], 'st', ARGV[11], 'dec', ARGV[8])
redis.call('SADD', KEYS[4], ARGV[2])
redis.call('SADD', KEYS[5], ARGV[2])
redis.call('XADD', KEYS[6], '*', 'e', ARGV[10])
return {'stored', ARGV[9]}
