"""The Lua scripts: each cache operation is one Redis round trip.

Every key a script touches belongs to one group ("products", "dashboard", ...) and carries the
group as a hash tag (`shop:{products}:5`), so a script stays in one slot of a Redis Cluster.

A key holds either an entry or a lease:
- entry: b"D" + etag (16 hex) + stored-at (13-digit Unix ms) + the JSON payload;
- lease: b"L" + token, taken by the one caller that loads a missing key. An invalidation deletes
  the key, lease included, so a loader that read the database before a write cannot store its
  older result after the write's invalidation (the stale-set race): STORE only replaces its own lease.

Each family keeps an index (a sorted set of its keys scored by expiry time in ms), which bounds the
family (the cap) and lets a family be cleared without KEYS or SCAN; tagged families also keep tag
sets whose members are "<key>|<params as JSON>".
"""

HEADER_LENGTH = 30  # b"D" + 16 + 13

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: key, stats hash, family index, tag sets...
# ARGV: family name, If-None-Match etag or "", lease token or "" (never lease), lease ms, cap (0: none),
#       tag member ("<key>|<params>") or "".
# Returns {"H", entry} | {"N", header} (etag matched) | {"W"} (someone is loading) | {"M"} (miss, no lease)
#         | {"C"} (family full: serve uncached) | {"L"} (miss; this caller now holds the lease).
READ = (
    """
local v = redis.call('GET', KEYS[1])
if v and string.byte(v, 1) == 68 then
  redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':hits', 1)
  if ARGV[2] ~= '' and string.sub(v, 2, 17) == ARGV[2] then return {'N', string.sub(v, 1, 30)} end
  return {'H', v}
end
redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':misses', 1)
if v then return {'W'} end
if ARGV[3] == '' then return {'M'} end
"""
    + _NOW
    + """
local cap = tonumber(ARGV[5])
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= cap then return {'C'} end
end
local until_ms = now + tonumber(ARGV[4])
redis.call('SET', KEYS[1], 'L' .. ARGV[3], 'PX', ARGV[4])
redis.call('ZADD', KEYS[3], until_ms, KEYS[1])
for i = 4, #KEYS do redis.call('ZADD', KEYS[i], until_ms, ARGV[6]) end
return {'L'}
"""
)

# KEYS: key, family index, tag sets...   ARGV: lease token, entry, ttl seconds (0: none), tag member.
# Stores only over this caller's own lease. Returns 1 if stored.
STORE = (
    """
if redis.call('GET', KEYS[1]) ~= 'L' .. ARGV[1] then return 0 end
"""
    + _NOW
    + """
local ttl = tonumber(ARGV[3])
local score = '+inf'
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
  score = now + ttl * 1000
else
  redis.call('SET', KEYS[1], ARGV[2])
end
redis.call('ZADD', KEYS[2], score, KEYS[1])
for i = 3, #KEYS do redis.call('ZADD', KEYS[i], score, ARGV[4]) end
return 1
"""
)

# KEYS: key, family index.  ARGV: lease token.  Gives a lease back (the loader failed or chose not to store).
RELEASE = """
if redis.call('GET', KEYS[1]) == 'L' .. ARGV[1] then
  redis.call('ZREM', KEYS[2], KEYS[1])
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# One group's invalidation. KEYS: stats hash, epochs hash, then per stale key (key, its family index),
# then per family cleared whole (its index, its tag sets...).
# ARGV: number of stale keys, number of whole families, per stale key its family name, per whole
#       family its name and its number of tag sets.
# Returns the number of keys removed: one count per stale key, then one per whole family.
INVALIDATE = """
local nk, nf = tonumber(ARGV[1]), tonumber(ARGV[2])
local k, a = 3, 3
local removed, families = {}, {}
for i = 1, nk do
  removed[#removed + 1] = redis.call('DEL', KEYS[k])
  redis.call('ZREM', KEYS[k + 1], KEYS[k])
  families[ARGV[a]] = true
  k, a = k + 2, a + 1
end
for f = 1, nf do
  local members = redis.call('ZRANGE', KEYS[k], 0, -1)
  for i = 1, #members, 500 do
    redis.call('UNLINK', unpack(members, i, math.min(i + 499, #members)))
  end
  redis.call('DEL', KEYS[k])
  for t = 1, tonumber(ARGV[a + 1]) do redis.call('DEL', KEYS[k + t]) end
  removed[#removed + 1] = #members
  families[ARGV[a]] = true
  k, a = k + 1 + tonumber(ARGV[a + 1]), a + 2
end
for name, _ in pairs(families) do
  redis.call('HINCRBY', KEYS[1], name .. ':invalidations', 1)
  redis.call('HINCRBY', KEYS[2], name, 1)
end
return removed
"""

# An assembled list (products:all, products:filter:*) keeps only its skeleton: the ids of its rows, in
# order, and the JSON around them ("<ids csv>\n<head>\n<tail>"); each row's JSON is its fragment
# family's entry (products:{id}: {"product": {...}}), which a change of that row alone clears.
# KEYS: as READ, then the group's epochs hash.  ARGV: as READ, then the fragments' key prefix
# ("shop:{products}:") and their family's name.
# Returns {"A", skeleton, etag, fragments...} when every fragment is there ({"N", etag, stored-at} on an
# If-None-Match match), {"P", skeleton, epoch, fragments...} (false where one is missing), or READ's
# miss answers, each with the fragment family's epoch (it changes with every invalidation of it).
READ_ASSEMBLED = (
    """
local v = redis.call('GET', KEYS[1])
local epochs = table.remove(KEYS)
local epoch = redis.call('HGET', epochs, ARGV[8]) or '0'
if v and string.byte(v, 1) == 68 then
  local body = string.sub(v, 31)
  local ids = string.sub(body, 1, (string.find(body, '\\n', 1, true) or (#body + 1)) - 1)
  local keys = {}
  for id in string.gmatch(ids, '[^,]+') do keys[#keys + 1] = ARGV[7] .. id end
  local fragments = {}
  for i = 1, #keys, 1000 do
    local part = redis.call('MGET', unpack(keys, i, math.min(i + 999, #keys)))
    for j = 1, #part do fragments[#fragments + 1] = part[j] end
  end
  local etags, complete = {string.sub(v, 2, 17)}, true
  for i = 1, #fragments do
    local f = fragments[i]
    if not f or string.byte(f, 1) ~= 68 then complete = false break end
    etags[#etags + 1] = string.sub(f, 2, 17)
  end
  if complete then
    redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':hits', 1)
    local etag = string.sub(redis.sha1hex(table.concat(etags)), 1, 16)
    if ARGV[2] ~= '' and etag == ARGV[2] then return {'N', etag, string.sub(v, 18, 30)} end
    local reply = {'A', v, etag}
    for i = 1, #fragments do reply[#reply + 1] = fragments[i] end
    return reply
  end
  redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':misses', 1)
  local reply = {'P', v, epoch}
  for i = 1, #fragments do reply[#reply + 1] = fragments[i] end
  return reply
end
redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':misses', 1)
if v then return {'W', epoch} end
if ARGV[3] == '' then return {'M', epoch} end
"""
    + _NOW
    + """
local cap = tonumber(ARGV[5])
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  if redis.call('ZCARD', KEYS[3]) >= cap then return {'C', epoch} end
end
local until_ms = now + tonumber(ARGV[4])
redis.call('SET', KEYS[1], 'L' .. ARGV[3], 'PX', ARGV[4])
redis.call('ZADD', KEYS[3], until_ms, KEYS[1])
for i = 4, #KEYS do redis.call('ZADD', KEYS[i], until_ms, ARGV[6]) end
return {'L', epoch}
"""
)

# Fragments loaded for an assembled list, stored only while no invalidation of their family happened
# since the load began (the epoch read before it), and only where no entry or lease is.
# KEYS: epochs hash, fragment family index, fragment keys...  ARGV: family name, epoch, ttl, entries...
STORE_FRAGMENTS = (
    """
if (redis.call('HGET', KEYS[1], ARGV[1]) or '0') ~= ARGV[2] then return 0 end
"""
    + _NOW
    + """
local ttl = tonumber(ARGV[3])
local stored = 0
for i = 3, #KEYS do
  local ok
  if ttl > 0 then ok = redis.call('SET', KEYS[i], ARGV[i + 1], 'NX', 'EX', ttl)
  else ok = redis.call('SET', KEYS[i], ARGV[i + 1], 'NX') end
  if ok then
    redis.call('ZADD', KEYS[2], ttl > 0 and (now + ttl * 1000) or '+inf', KEYS[i])
    stored = stored + 1
  end
end
return stored
"""
)

# KEYS: tag sets.  Returns, per tag set, the members ("<key>|<params>") not yet expired.
CANDIDATES = (
    _NOW
    + """
local found = {}
for i = 1, #KEYS do found[i] = redis.call('ZRANGEBYSCORE', KEYS[i], now, '+inf') end
return found
"""
)

SCRIPTS = {
    "READ": READ,
    "READ_ASSEMBLED": READ_ASSEMBLED,
    "STORE": STORE,
    "STORE_FRAGMENTS": STORE_FRAGMENTS,
    "RELEASE": RELEASE,
    "INVALIDATE": INVALIDATE,
    "CANDIDATES": CANDIDATES,
}
