"""The store shared across machines: ``OUTBOUND_MCP_STATE=redis://…`` (the ``redis`` asyncio client).

Every operation that reads then writes is one Lua script, which Redis runs atomically: a plain server
needs no module, and the rules are the same as ``local.RateLog``'s (window, the API's corrections as the
requests it counted beyond ours, 429 blocks), which a rate-limit library such as ``limits`` could not
express (it has no API corrections).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from mcp_server.core.redact import REDACTOR
from mcp_server.core.state import LEASE_SHARE, Figures, Lease, Leased, RateRule, Reports, Slot, StateUnavailable
from mcp_server.core.state.local import rate_ttl

PREFIX = "outbound-mcp:"
TIMEOUT = 2.0

SPEND = """
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
local after = math.max(0, cur + amount)
if amount > 0 and ARGV[2] ~= '' and after > tonumber(ARGV[2]) then
  return {0, string.format('%.17g', cur)}
end
local value = string.format('%.17g', after)
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SET', KEYS[1], value, 'KEEPTTL')
else
  redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
end
return {1, value}
"""

# The requests answered since the last trip (ARGV pairs from ``first``: ticket, answered at) date their arrival
# by their answer, never later than their lease said.
REPORTS = """
local function report(sent, first)
  for i = first, #ARGV, 2 do
    local cur = tonumber(redis.call('ZSCORE', sent, ARGV[i]))
    if cur and tonumber(ARGV[i + 1]) < cur then redis.call('ZADD', sent, ARGV[i + 1], ARGV[i]) end
  end
end
"""

# After the prologue (state, sent, now, limit, window, margin): as ``local.RateLog.next_slot``, the earliest
# time one more request may go (``at``), with ``n`` our requests in the window and the API's ``others``/``reset``.
NEXT = """
redis.call('ZREMRANGEBYSCORE', sent, '-inf', now - window)
local others = tonumber(redis.call('HGET', state, 'o')) or 0
local reset = tonumber(redis.call('HGET', state, 't'))
local at = math.max(now, tonumber(redis.call('HGET', state, 'b')) or 0)
if reset and now >= reset + margin then
  redis.call('HDEL', state, 'o', 't')
  others, reset = 0, nil
end
local n = redis.call('ZCARD', sent)
local function aged(newest)
  -- As local.RateLog._aged: a window after the answer; in flight, after the slot was given (ticket@when).
  local rows, soonest = redis.call('ZRANGE', sent, 0, -1, 'WITHSCORES'), {}
  for i = 1, #rows, 2 do
    local at = tonumber(rows[i + 1])
    if at > now then at = tonumber(string.match(rows[i], '@([^@]+)$')) or now end
    soonest[#soonest + 1] = at + window
  end
  table.sort(soonest)
  local at = soonest[n - newest + 1]
  if at <= now then at = now + math.max(0.01, window / math.max(1, limit)) end
  return at
end
local free = now
if reset and others > 0 then
  local after_reset = reset + margin
  if n >= limit then after_reset = math.max(after_reset, aged(limit)) end
  local room = limit - others
  if room <= 0 then free = after_reset
  elseif n >= room then free = math.min(aged(room), after_reset) end
elseif n >= limit then
  free = aged(limit)
end
at = math.max(at, free)
local function room()
  -- As local.RateLog.room: how many more may go now.
  if at > now then return 0 end
  local ceiling = limit
  if reset and others > 0 then ceiling = limit - others end
  return math.max(0, ceiling - n)
end
"""

# KEYS: state hash (o others, t reset, b blocked until), sent zset (ticket -> latest arrival).
# ARGV: now limit window margin take ticket ttl until ('' for now), then the reports.
SLOT = (
    REPORTS
    + """
local state, sent = KEYS[1], KEYS[2]
local now, limit, window, margin = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
report(sent, 9)
"""
    + NEXT
    + """
local took = 0
if ARGV[5] == '1' and at <= now then
  redis.call('ZADD', sent, string.format('%.6f', math.max(now, tonumber(ARGV[8]) or now)), ARGV[6])
  redis.call('PEXPIRE', sent, ARGV[7])
  redis.call('PEXPIRE', state, ARGV[7])
  took = 1
  n = n + 1
end
local rem = reset and tostring(limit - others - n) or ''
return {took, string.format('%.6f', at), rem, reset and string.format('%.6f', reset) or ''}
"""
)

# KEYS: state hash, sent zset. ARGV: now limit window margin until ttl share, the number of report pairs and of
# returns, the API's remaining and reset ('' when not given), then the reports (ticket, answered at), the
# returns, the tickets offered.
LEASE = (
    """
local state, sent = KEYS[1], KEYS[2]
local now, limit, window, margin = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local reports, returns = tonumber(ARGV[8]), tonumber(ARGV[9])
local i = 12
for _ = 1, reports do
  local cur = tonumber(redis.call('ZSCORE', sent, ARGV[i]))
  if cur and tonumber(ARGV[i + 1]) < cur then redis.call('ZADD', sent, ARGV[i + 1], ARGV[i]) end
  i = i + 2
end
for _ = 1, returns do
  redis.call('ZREM', sent, ARGV[i])
  i = i + 1
end
if ARGV[10] ~= '' then
  -- As OBSERVE without a 429: the requests the API counted beyond ours, kept until its reset.
  local ours = redis.call('ZCOUNT', sent, '(' .. string.format('%.6f', now - window), '+inf')
  local counted = math.max(0, limit - tonumber(ARGV[10]) - ours)
  local old_reset = tonumber(redis.call('HGET', state, 't'))
  if old_reset == nil or tonumber(ARGV[11]) > old_reset + 0.001 then
    redis.call('HSET', state, 'o', counted, 't', ARGV[11])
  elseif counted > (tonumber(redis.call('HGET', state, 'o')) or 0) then
    redis.call('HSET', state, 'o', counted)
  end
end
"""
    + NEXT
    + """
local taken = 0
local left = room()
if left > 0 then
  -- As state.block_size: a share of the room, at least one.
  taken = math.min(#ARGV - i + 1, math.max(1, math.floor(left / tonumber(ARGV[7]))))
  local held = string.format('%.6f', math.max(now, tonumber(ARGV[5])))
  for j = 0, taken - 1 do redis.call('ZADD', sent, held, ARGV[i + j]) end
  n = n + taken
  left = left - taken
end
redis.call('PEXPIRE', sent, ARGV[6])
redis.call('PEXPIRE', state, ARGV[6])
local rem = reset and tostring(limit - others - n) or ''
return {taken, string.format('%.6f', at), left, rem, reset and string.format('%.6f', reset) or ''}
"""
)

BLOCK = """
redis.call('HSET', KEYS[1], 'b', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""

# KEYS: state hash, sent zset. ARGV: limited remaining reset ttl now limit window ('' for a figure not given),
# the number of unused leased tickets, those tickets, then the reports.
OBSERVE = (
    REPORTS
    + """
local state, sent = KEYS[1], KEYS[2]
local unused = tonumber(ARGV[8])
report(sent, 9 + unused)
local rem, reset = ARGV[2], ARGV[3]
local now, limit, window = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local both = rem ~= '' and reset ~= ''
local others = 0
if both then
  -- As local.RateLog.observe: the API counted what we sent, not the slots we hold leased and unused.
  local ours = redis.call('ZCOUNT', sent, '(' .. string.format('%.6f', now - window), '+inf')
  for i = 9, 8 + unused do
    if redis.call('ZSCORE', sent, ARGV[i]) then ours = ours - 1 end
  end
  others = math.max(0, limit - tonumber(rem) - ours)
end
if ARGV[1] == '1' then
  if both then redis.call('HSET', state, 'o', others, 't', reset) else redis.call('HDEL', state, 'o', 't') end
elseif both then
  local old_reset = tonumber(redis.call('HGET', state, 't'))
  local old = tonumber(redis.call('HGET', state, 'o')) or 0
  if old_reset == nil or tonumber(reset) > old_reset + 0.001 then
    redis.call('HSET', state, 'o', others, 't', reset)
  elseif others > old then
    redis.call('HSET', state, 'o', others)
  end
end
redis.call('PEXPIRE', state, ARGV[4])
local stored = tonumber(redis.call('HGET', state, 't'))
if not stored then return {'', ''} end
local ours = redis.call('ZCOUNT', sent, '(' .. string.format('%.6f', now - window), '+inf')
local expected = limit - (tonumber(redis.call('HGET', state, 'o')) or 0) - ours
return {tostring(expected), string.format('%.6f', stored)}
"""
)


def _pairs(reports: Reports) -> list[str]:
    return [part for ticket, at in reports for part in (ticket, repr(at))]


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisStore:
    def __init__(self, url: str) -> None:
        self._client: aioredis.Redis = aioredis.from_url(
            url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, retry=Retry(NoBackoff(), 1)
        )
        kwargs = self._client.connection_pool.connection_kwargs
        password = kwargs.get("password")
        if password:
            REDACTOR.add(str(password))
        # Tokens go only to a Redis that asks for credentials (the deployment's auth protects them).
        self.protected = bool(password)
        self.where = f"Redis at {kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"
        self._spend = self._client.register_script(SPEND)
        self._slot = self._client.register_script(SLOT)
        self._observe = self._client.register_script(OBSERVE)
        self._lease = self._client.register_script(LEASE)
        self._block = self._client.register_script(BLOCK)

    async def _do(self, pending: Any) -> Any:
        try:
            return await pending
        except (RedisError, OSError) as exc:
            raise StateUnavailable(
                f"the state store ({self.where}) failed: {type(exc).__name__}",
                hint="Nothing was sent. Try again in a moment; if it persists, ask the user to check the Redis "
                "server named by OUTBOUND_MCP_STATE.",
            ) from None

    async def get(self, key: str) -> bytes | None:
        return await self._do(self._client.get(PREFIX + key))

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        await self._do(self._client.set(PREFIX + key, value, px=None if ttl is None else _ms(ttl)))

    async def add(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        done = await self._do(self._client.set(PREFIX + key, value, nx=True, px=None if ttl is None else _ms(ttl)))
        return bool(done)

    async def delete(self, key: str) -> None:
        await self._do(self._client.delete(PREFIX + key))

    async def spend(self, key: str, amount: float, ceiling: float | None, ttl: float) -> tuple[bool, float]:
        args = [repr(amount), "" if ceiling is None else repr(ceiling), _ms(ttl)]
        done, total = await self._do(self._spend(keys=[PREFIX + key], args=args))
        return bool(done), float(total)

    async def rate_slot(
        self, key: str, now: float, rule: RateRule, take: bool, lease: Lease | None = None, reports: Reports = ()
    ) -> Slot:
        keys = [PREFIX + key, PREFIX + key + ":sent"]
        ticket, until = lease or (f"{secrets.token_hex(6)}@{now!r}", None)
        args: list[str | int] = [repr(now), rule.limit, repr(rule.window), repr(rule.margin), int(take), ticket]
        args += [_ms(rate_ttl(rule)), "" if until is None else repr(until), *_pairs(reports)]
        took, at, remaining, reset = await self._do(self._slot(keys=keys, args=args))
        # The script compares at full precision; its answer is rounded to the microsecond.
        when = now if took else (max(float(at), now + 1e-6) if take else float(at))
        return Slot(when, int(float(remaining)) if remaining else None, float(reset) if reset else None)

    async def rate_lease(
        self,
        key: str,
        now: float,
        rule: RateRule,
        tickets: Sequence[str],
        until: float,
        reports: Reports = (),
        returns: Sequence[str] = (),
        figures: Figures | None = None,
    ) -> Leased:
        keys = [PREFIX + key, PREFIX + key + ":sent"]
        args: list[str | int] = [repr(now), rule.limit, repr(rule.window), repr(rule.margin), repr(until)]
        args += [_ms(rate_ttl(rule)), LEASE_SHARE, len(reports), len(returns)]
        args += [str(figures[0]), repr(figures[1])] if figures is not None else ["", ""]
        args += [*_pairs(reports), *returns, *tickets]
        taken, at, left, remaining, reset = await self._do(self._lease(keys=keys, args=args))
        # The script compares at full precision; its answer is rounded to the microsecond.
        when = now if taken else max(float(at), now + 1e-6)
        stored = (int(float(remaining)) if remaining else None, float(reset) if reset else None)
        return Leased(int(taken), when, int(left), *stored)

    async def rate_observe(
        self,
        key: str,
        now: float,
        rule: RateRule,
        remaining: int | None,
        reset_at: float | None,
        limited: bool,
        reports: Reports = (),
        unused: Sequence[str] = (),
    ) -> tuple[int | None, float | None]:
        figures = ["" if remaining is None else str(remaining), "" if reset_at is None else repr(reset_at)]
        args = [int(limited), *figures, _ms(rate_ttl(rule)), repr(now), rule.limit, repr(rule.window)]
        args += [len(unused), *unused, *_pairs(reports)]
        remaining, reset = await self._do(self._observe(keys=[PREFIX + key, PREFIX + key + ":sent"], args=args))
        return (int(float(remaining)) if remaining else None, float(reset) if reset else None)

    async def rate_block(self, key: str, now: float, rule: RateRule, until: float) -> None:
        await self._do(self._block(keys=[PREFIX + key], args=[repr(until), _ms(rate_ttl(rule))]))

    async def aclose(self) -> None:
        with contextlib.suppress(RedisError, OSError):  # closing a connection to a server that is gone
            await self._client.aclose()
