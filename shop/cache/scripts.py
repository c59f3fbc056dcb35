"""Lua scripts: each cache operation is one Redis round trip."""

# KEYS: data key, stats hash. ARGV: family name.
READ = """
local v = redis.call('GET', KEYS[1])
if v then
  redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':hits', 1)
else
  redis.call('HINCRBY', KEYS[2], ARGV[1] .. ':misses', 1)
end
return v
"""

# KEYS: generation key, lock key. ARGV: lock token, lock ttl in ms.
# Returns the family's generation (read before loading) and whether this caller holds the load lock.
PREPARE_LOAD = """
local gen = redis.call('GET', KEYS[1]) or '0'
local locked = redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2])
if locked then return {gen, 1} end
return {gen, 0}
"""

# KEYS: data key, generation key, index key, lock key.
# ARGV: value, ttl seconds (0 = none), generation seen before loading, lock token.
# Stores only if no invalidation happened since the load began (no stale set).
STORE = """
local stored = 0
if (redis.call('GET', KEYS[2]) or '0') == ARGV[3] then
  local ttl = tonumber(ARGV[2])
  if ttl > 0 then
    redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
    redis.call('SADD', KEYS[3], KEYS[1])
    if redis.call('TTL', KEYS[3]) < ttl then redis.call('EXPIRE', KEYS[3], ttl) end
  else
    redis.call('SET', KEYS[1], ARGV[1])
    redis.call('SADD', KEYS[3], KEYS[1])
    redis.call('PERSIST', KEYS[3])
  end
  stored = 1
end
if redis.call('GET', KEYS[4]) == ARGV[4] then redis.call('DEL', KEYS[4]) end
return stored
"""

# KEYS: lock key. ARGV: lock token.
RELEASE_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: per family its generation key and index key, then the stats hash (last).
# ARGV: per family its name and a new generation token. Returns the number of keys removed per family.
# Touches only the families' own keys: each index set names them (no KEYS, no SCAN).
# A generation becomes a fresh random token rather than a counter: after Redis restarts empty a
# counter would start again from 0 and could match a generation a loader read before the restart.
INVALIDATE = """
local stats = KEYS[#KEYS]
local removed = {}
for f = 1, (#KEYS - 1) / 2 do
  local gen, index = KEYS[2 * f - 1], KEYS[2 * f]
  redis.call('SET', gen, ARGV[2 * f])
  local members = redis.call('SMEMBERS', index)
  for i = 1, #members, 500 do
    redis.call('UNLINK', unpack(members, i, math.min(i + 499, #members)))
  end
  redis.call('DEL', index)
  redis.call('HINCRBY', stats, ARGV[2 * f - 1] .. ':invalidations', 1)
  removed[f] = #members
end
return removed
"""
