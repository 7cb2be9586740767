-- One refund, atomically, per the campaign's refund policy. The subsidy owed shrinks in proportion
-- to what the customer still pays; what it releases goes back to the budget. On a full refund the
-- coupon goes back to the pool (stock and the person's counts restored), back to its owner (only
-- within validity and if the budget can reserve its discount again), or nowhere.
-- KEYS: 1 campaign hash, 2 refund answer key, 3 order hash, 4 outbox stream, 5 the order's wallet
--   hash. ARGV: 1 (unused), 2 refundId, 3 orderId, 4 merchantId, 5 refundFen,
--   6 nowMs, 7 event JSON prefix (without couponReturned and the closing brace), 8 fingerprint,
--   9 refund policy
local rk = KEYS[2]
local prior = redis.call('GET', rk)
if prior then
  local sep = string.find(prior, '\n', 1, true)
  if string.sub(prior, 1, sep - 1) == ARGV[8] then return {'replay', string.sub(prior, sep + 1)} end
  return {'conflict', ''}
end
local ordK = KEYS[3]
local o = redis.call('HMGET', ordK, 'm', 'paid', 'refunded', 'disc', 'sub', 'st', 'cpn', 'u')
if not o[1] then return {'refused', 'ORDER_NOT_FOUND'} end
if o[1] ~= ARGV[4] then return {'refused', 'MERCHANT_MISMATCH'} end
local paid, refunded, discount, before = tonumber(o[2]), tonumber(o[3]), tonumber(o[4]), tonumber(o[5])
local refundFen = tonumber(ARGV[5])
local remaining = paid - refunded
if refunded > 0 and remaining == 0 then return {'refused', 'ALREADY_FULLY_REFUNDED'} end
if refundFen > remaining then return {'refused', 'REFUND_EXCEEDS_PAID'} end
refunded = refunded + refundFen
local full = refunded >= paid
local after = 0
if o[6] ~= 'clawed_back' then
  if paid <= 0 then
    if refunded > 0 then after = 0 else after = discount end
  else
    after = math.floor(discount * (paid - refunded) / paid)
  end
end
local released = before - after
local returned = false
if full and o[6] ~= 'clawed_back' then
  local walletK = KEYS[5]
  local cpn = redis.call('HGET', walletK, o[7])
  -- wallet value: couponTypeId|batchId|status|claimedAtMs|idHash
  local ctype, cbatch, _, cat, cid = string.match(cpn, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|(.*)$')
  local budget = tonumber(redis.call('HGET', KEYS[1], 'budget'))
  if ARGV[9] == 'return_to_pool' then
    redis.call('HSET', walletK, o[7], ctype .. '|' .. cbatch .. '|voided|' .. cat .. '|' .. cid)
    redis.call('HINCRBY', KEYS[1], 'stock:' .. ctype, 1)
    local person = 'p:' .. cid
    redis.call('HINCRBY', KEYS[1], person .. ':n', -1)
    redis.call('HINCRBY', KEYS[1], person .. ':t:' .. ctype, -1)
    redis.call('HINCRBY', KEYS[1], person .. ':b:' .. cbatch, -1)
    returned = true
  elseif ARGV[9] == 'return_if_full_refund_within_validity' then
    local vu = tonumber(redis.call('HGET', KEYS[1], 't:' .. ctype .. ':vu'))
    if tonumber(ARGV[6]) < vu and budget + released >= discount then
      redis.call('HSET', walletK, o[7], ctype .. '|' .. cbatch .. '|unused|' .. cat .. '|' .. cid)
      released = released - discount
      returned = true
    end
  end
end
redis.call('HINCRBY', KEYS[1], 'budget', string.format('%d', released))
redis.call('HSET', ordK, 'refunded', string.format('%d', refunded), 'sub', string.format('%d', after))
local answer = (full and '1' or '0') .. '|' .. (returned and '1' or '0') .. '|' .. string.format('%d', after)
redis.call('SET', rk, ARGV[8] .. '\n' .. answer)
redis.call('XADD', KEYS[4], '*', 'e', ARGV[7] .. ',"couponReturned":' .. (returned and 'true' or 'false') .. '}')
return {'refunded', answer}
