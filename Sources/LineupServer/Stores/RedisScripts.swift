import LineupRedis

/// The Lua scripts the Redis store runs server-side, where several writes must be one atomic
/// step. Each touches only keys of one hash tag, so it runs on Redis Cluster too.
enum RedisScripts {
  /// Forward-decayed popularity increments (see LineupCore's `PopularityDecay`).
  /// KEYS[1] popularity ZSET, KEYS[2] landmark STRING.
  /// ARGV[1] half-life seconds, then (member, weight, at) triples.
  /// Sets the landmark at the first write; when the newest increment is more than 32
  /// half-lives past it, multiplies every score by 2^-steps and moves it forward.
  static let decayedIncrement = RedisScript(
    """
    local half = tonumber(ARGV[1])
    local newest = nil
    for i = 2, #ARGV, 3 do
      local at = tonumber(ARGV[i + 2])
      if newest == nil or at > newest then newest = at end
    end
    if newest == nil then return 0 end
    local landmark = tonumber(redis.call('GET', KEYS[2]))
    if landmark == nil then
      landmark = newest
      redis.call('SET', KEYS[2], string.format('%.17g', landmark))
    end
    local steps = math.floor((newest - landmark) / half)
    if steps > 32 then
      redis.call('ZUNIONSTORE', KEYS[1], 1, KEYS[1], 'WEIGHTS', string.format('%.17g', 2 ^ (-steps)))
      landmark = landmark + steps * half
      redis.call('SET', KEYS[2], string.format('%.17g', landmark))
    end
    for i = 2, #ARGV, 3 do
      local weight = tonumber(ARGV[i + 1]) * 2 ^ ((tonumber(ARGV[i + 2]) - landmark) / half)
      redis.call('ZINCRBY', KEYS[1], string.format('%.17g', weight), ARGV[i])
    end
    return 1
    """
  )

  /// One catalog upsert batch as one version.
  /// KEYS[1] version STRING, KEYS[2] changes ZSET, KEYS[3] creators HASH, KEYS[4…] item HASHes.
  /// ARGV: now, then per item (id, creator, category, created_at, creator_first_seen or "",
  /// available 0/1). Returns the new version.
  static let catalogUpsert = RedisScript(
    """
    local version = redis.call('INCR', KEYS[1])
    for i = 0, #KEYS - 4 do
      local b = 2 + i * 6
      local id, creator, created = ARGV[b], ARGV[b + 1], ARGV[b + 3]
      redis.call('HSET', KEYS[4 + i], 'creator_id', creator, 'category', ARGV[b + 2],
        'created_at', created, 'available', ARGV[b + 5], 'updated_at', ARGV[1])
      local first = ARGV[b + 4]
      if first == '' then first = created end
      local known = redis.call('HGET', KEYS[3], creator)
      if not known or tonumber(first) < tonumber(known) then
        redis.call('HSET', KEYS[3], creator, first)
      end
      redis.call('ZADD', KEYS[2], version, id)
    end
    return version
    """
  )

  /// Claims a user's event ids for recording.
  /// KEYS[1] the current bucket's marker HASH, KEYS[2] the previous bucket's.
  /// ARGV[1] now (epoch ms), ARGV[2] pending-claim TTL (ms), ARGV[3] bucket TTL (s), ARGV[4…]
  /// event ids. Returns one code per id: 0 claimed now, 1 done before (duplicate), 2 being
  /// recorded by someone else (a pending claim that has not expired). An expired pending
  /// claim (its writer died) is taken over.
  static let claimEvents = RedisScript(
    """
    local now = tonumber(ARGV[1])
    local out = {}
    for i = 4, #ARGV do
      local id = ARGV[i]
      local marker = redis.call('HGET', KEYS[1], id)
      if not marker then marker = redis.call('HGET', KEYS[2], id) end
      if marker == 'd' then
        out[#out + 1] = 1
      elseif marker and tonumber(string.sub(marker, 3)) > now then
        out[#out + 1] = 2
      else
        redis.call('HSET', KEYS[1], id, 'p:' .. (now + tonumber(ARGV[2])))
        out[#out + 1] = 0
      end
    end
    redis.call('EXPIRE', KEYS[1], ARGV[3])
    return out
    """
  )

  /// `claimEvents` for many users in one call, on a standalone server only (its keys span
  /// hash slots). KEYS: each user's current and previous marker HASH, in pairs. ARGV[1…3] as
  /// `claimEvents`, then per user its number of ids followed by the ids. Returns the codes of
  /// every id, users in KEYS order. One call per batch instead of one per user: a script
  /// call's own cost in Redis was two thirds of a user's claim.
  static let claimEventsBatch = RedisScript(
    """
    local now = tonumber(ARGV[1])
    local pending = 'p:' .. (now + tonumber(ARGV[2]))
    local out = {}
    local a = 4
    for k = 1, #KEYS, 2 do
      local count = tonumber(ARGV[a])
      for i = a + 1, a + count do
        local id = ARGV[i]
        local marker = redis.call('HGET', KEYS[k], id)
        if not marker then marker = redis.call('HGET', KEYS[k + 1], id) end
        if marker == 'd' then
          out[#out + 1] = 1
        elseif marker and tonumber(string.sub(marker, 3)) > now then
          out[#out + 1] = 2
        else
          redis.call('HSET', KEYS[k], id, pending)
          out[#out + 1] = 0
        end
      end
      redis.call('EXPIRE', KEYS[k], ARGV[3])
      a = a + count + 1
    end
    return out
    """
  )

  static let all = [decayedIncrement, catalogUpsert, claimEvents, claimEventsBatch]
}
