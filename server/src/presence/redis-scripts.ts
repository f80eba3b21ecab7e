// The Lua scripts of the Redis presence store: each step on a user's registrations is one atomic
// script, timed by Redis's own clock (TIME), so nodes whose clocks disagree still agree on expiry.
//
// Keys, under the store's prefix P, for widget w and user u (w is digits, so "w:u" is unambiguous):
//   P pc:w:u  sorted set of the user's connections ("node|connection"), scored by when each expires
//   P pg:w:u  the grace period after the last connection closed, holding its owner's token, with a TTL
//   P pz      sorted set of users ("w:u") who are online or in grace, scored by when to look again:
//             the reaper (refresh) claims those whose time passed with nothing left, so the users of
//             a node that died still go offline, announced by a node that is alive.
import { luaScript } from '../bus/redis-client.ts';

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * KEYS: conns, grace, pz. ARGV: member, ttlMs, user. Returns 1 when the user was offline.
 * The member is removed first, so a resend of this call (after a broken link) answers as the first.
 */
export const connectScript = luaScript(`${NOW}
local ttl = tonumber(ARGV[2])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local others = redis.call('ZCARD', KEYS[1])
local lingering = redis.call('DEL', KEYS[2])
local exp = now + ttl
redis.call('ZADD', KEYS[1], exp, ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
redis.call('ZADD', KEYS[3], 'GT', exp, ARGV[3])
if others == 0 and lingering == 0 then return 1 end
return 0
`);

/**
 * KEYS: conns, grace, pz. ARGV: member, grace lifetime ms, token, user. Returns 1 when that was the
 * user's last connection anywhere: the grace period is then this caller's (its token).
 */
export const disconnectScript = luaScript(`${NOW}
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
local life = tonumber(ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'PX', life)
redis.call('ZADD', KEYS[3], now + life, ARGV[4])
return 1
`);

/**
 * KEYS: conns, grace, pz. ARGV: user, token. Ends the grace period owned by `token` (or one that
 * ran out): returns 1 when the user is offline now and this caller is the one to announce it.
 */
export const claimScript = luaScript(`${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local live = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #live > 0 then
  redis.call('ZADD', KEYS[3], 'GT', live[2], ARGV[1])
  return 0
end
local g = redis.call('GET', KEYS[2])
if g then
  if g ~= ARGV[2] then return 0 end
  redis.call('DEL', KEYS[2])
end
return redis.call('ZREM', KEYS[3], ARGV[1])
`);

/**
 * KEYS: pz. ARGV: prefix, limit. Looks at up to `limit` users whose time came; returns how many it
 * looked at, then the users ("w:u") it found offline and claimed.
 */
export const reapScript = luaScript(`${NOW}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local out = { #due }
for _, m in ipairs(due) do
  local conns = ARGV[1] .. 'pc:' .. m
  redis.call('ZREMRANGEBYSCORE', conns, '-inf', now)
  local live = redis.call('ZRANGE', conns, -1, -1, 'WITHSCORES')
  if #live > 0 then
    redis.call('ZADD', KEYS[1], live[2], m)
  else
    -- PTTL 0 is a key in its last millisecond, still there for EXISTS: look again after it.
    local left = redis.call('PTTL', ARGV[1] .. 'pg:' .. m)
    if left >= 0 then
      redis.call('ZADD', KEYS[1], now + left + 1, m)
    else
      redis.call('ZREM', KEYS[1], m)
      out[#out + 1] = m
    end
  end
end
return out
`);

/** KEYS: conns of each connection, then pz. ARGV: ttlMs, then member and user of each connection. */
export const refreshScript = luaScript(`${NOW}
local ttl = tonumber(ARGV[1])
local exp = now + ttl
local pz = KEYS[#KEYS]
for i = 1, #KEYS - 1 do
  redis.call('ZADD', KEYS[i], exp, ARGV[2 * i])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
  redis.call('ZADD', pz, 'GT', exp, ARGV[2 * i + 1])
end
return 0
`);

/** KEYS: conns and grace of each user, in pairs. Returns the 0-based indexes of the online users. */
export const onlineScript = luaScript(`${NOW}
local out = {}
for i = 1, #KEYS, 2 do
  if redis.call('ZCOUNT', KEYS[i], '(' .. now, '+inf') > 0 or redis.call('EXISTS', KEYS[i + 1]) == 1 then
    out[#out + 1] = (i - 1) / 2
  end
end
return out
`);
