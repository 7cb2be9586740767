-- Opens a campaign once: writes its claim parameters, stock and budget, appends campaign.published.
-- KEYS: 1 campaign hash, 2 outbox stream. ARGV: 1 event JSON, then field/value pairs.
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'not_found' end
if status == 'published' then return 'already_published' end
local fields = {}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('HSET', KEYS[1], 'status', 'published')
redis.call('XADD', KEYS[2], '*', 'e', ARGV[1])
return 'published'
