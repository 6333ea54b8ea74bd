"""One-time confirmation tokens, for clients that cannot show a confirmation form (docs/confirmations.md).

A spend or delete such a client asks for answers a preview and a token instead of running. The token is bound
to the tool, the exact arguments, the caller and a short expiry, and kept in the state store, so whichever
process or replica takes the call with it runs the call once. A token that does not fit is refused saying
why; nothing is sent.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_jsonable_python

from mcp_server.core.errors import OutboundError
from mcp_server.core.state import StateStore

TOKEN_LIFETIME = 600.0
"""Seconds a preview's token can be used: long enough to ask the person in the chat, short enough to be theirs."""
KEPT = TOKEN_LIFETIME + 3600.0
"""How long the store keeps a token's record: past its expiry, so a late use is told "expired", not "unknown"."""
PREFIX = "ct_"


@dataclass
class TokenRefused(OutboundError):
    """The confirmation token does not fit this call; nothing was sent."""


def digest(value: Any) -> str:
    text = json.dumps(to_jsonable_python(value), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def fingerprints(args: Mapping[str, Any]) -> dict[str, str]:
    """Each argument's digest: a token keeps no argument values, yet can say which one differs."""
    return {name: digest(value) for name, value in sorted(args.items())}


def _key(token: str, what: str) -> str:
    return f"confirm:{what}:{hashlib.sha256(token.encode()).hexdigest()[:40]}"


def when(moment: float) -> str:
    return time.strftime("%H:%M UTC", time.gmtime(moment))


async def issue(store: StateStore, tool: str, args: Mapping[str, Any], caller: str, now: float) -> tuple[str, float]:
    """A new token for this exact call, and when it expires. A store failure raises ``StateUnavailable``."""
    token = PREFIX + secrets.token_urlsafe(18)
    expires = now + TOKEN_LIFETIME
    record = {"tool": tool, "args": fingerprints(args), "caller": digest(caller), "expires": expires}
    await store.set(_key(token, "token"), json.dumps(record).encode(), ttl=KEPT)
    return token, expires


ALREADY_USED = "this confirmation_token was already used: each one runs its call once"


async def check_unused(store: StateStore, token: str) -> None:
    """Before anything else is read for the call (a delete's target is gone once its token ran): a used token
    is refused as used."""
    if await store.get(_key(token, "used")) is not None:
        raise TokenRefused(ALREADY_USED, hint="Call again without confirmation_token for a new preview.")


async def redeem(store: StateStore, token: str, tool: str, args: Mapping[str, Any], caller: str, now: float) -> None:
    """Use ``token`` for this call, once; raises ``TokenRefused`` saying why it does not fit (and then the token
    stays usable for the call it was made for), or ``StateUnavailable`` when the store cannot tell."""
    again = "Call again without confirmation_token: the answer is a new preview to show the user."
    raw = await store.get(_key(token, "token"))
    if raw is None:
        raise TokenRefused("this confirmation_token is unknown here (mistyped, or made over an hour ago)", hint=again)
    record = json.loads(raw)
    if await store.get(_key(token, "used")) is not None:
        raise TokenRefused(ALREADY_USED, hint=again)
    if record["tool"] != tool:
        raise TokenRefused(f"this confirmation_token was made for {record['tool']}, not {tool}", hint=again)
    if record["caller"] != digest(caller):
        raise TokenRefused("this confirmation_token was made for another user of this server", hint=again)
    given = fingerprints(args)
    differ = sorted(name for name in set(given) | set(record["args"]) if given.get(name) != record["args"].get(name))
    if differ:
        raise TokenRefused(
            f"this confirmation_token was made for other arguments (they differ in {', '.join(differ)})",
            hint="Call again with exactly the arguments of the preview the user agreed to, or without "
            "confirmation_token for a new preview.",
        )
    if now >= record["expires"]:
        raise TokenRefused(f"this confirmation_token expired at {when(record['expires'])}", hint=again)
    if not await store.add(_key(token, "used"), b"1", ttl=KEPT):
        raise TokenRefused(ALREADY_USED, hint=again)
