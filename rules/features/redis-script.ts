// One Lua call per event: deduplicate, record, read. Numbers go back as strings because Redis
// truncates Lua numbers to integers. Keys are passed in KEYS (one per op, dedup key last).
export const APPLY_LUA = `
local at = tonumber(ARGV[1])
local record = ARGV[2] == '1'
-- virtual: count the event without writing it (what-if); a duplicate is neither written nor added
local virtual = not record
local nops = tonumber(ARGV[3])
if record and ARGV[4] ~= '' then
  if not redis.call('SET', KEYS[nops + 1], '1', 'NX', 'PX', ARGV[5]) then record = false end
end
local out = {}
local a = 6
for i = 1, nops do
  local key = KEYS[i]
  local kind = ARGV[a]
  local g = tonumber(ARGV[a + 1])
  local n = tonumber(ARGV[a + 2])
  local add = ARGV[a + 3]
  local member = ARGV[a + 4]
  a = a + 5
  local b = math.floor(at / g)
  local ttl = g * n * 2
  if kind == 's' then
    local addn = tonumber(add)
    if record and addn ~= 0 then
      redis.call('HINCRBYFLOAT', key, string.format('%d', b), add)
      redis.call('PEXPIRE', key, ttl)
      if redis.call('HLEN', key) > 2 * n then
        for _, f in ipairs(redis.call('HKEYS', key)) do
          if tonumber(f) <= b - n then redis.call('HDEL', key, f) end
        end
      end
    end
    local fields = {}
    for x = b - n + 1, b do fields[#fields + 1] = string.format('%d', x) end
    local vals = redis.call('HMGET', key, unpack(fields))
    local sum = 0
    for _, v in ipairs(vals) do if v then sum = sum + tonumber(v) end end
    if virtual then sum = sum + addn end
    out[i] = string.format('%.17g', sum)
  else
    local start = (b - n + 1) * g
    local extra = 0
    if member ~= '' then
      local prev = redis.call('HGET', key, member)
      if record then
        if (not prev) or tonumber(prev) < at then redis.call('HSET', key, member, string.format('%d', at)) end
        redis.call('PEXPIRE', key, ttl)
      elseif virtual and ((not prev) or tonumber(prev) < start) then
        extra = 1
      end
    end
    local all = redis.call('HGETALL', key)
    local c = 0
    local stale = {}
    for j = 1, #all, 2 do
      local t = tonumber(all[j + 1])
      if t >= start and t <= at then c = c + 1 elseif t < start then stale[#stale + 1] = all[j] end
    end
    if record and #stale > 0 and #all > 128 then redis.call('HDEL', key, unpack(stale)) end
    out[i] = tostring(c + extra)
  end
end
return out
`;
