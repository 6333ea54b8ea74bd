"""OAuth 2.1 resource-server mode: access tokens are JWTs signed by the configured issuer, checked for
signature, issuer, audience, expiry and a non-empty subject (PyJWT; the SDK's ``TokenVerifier`` protocol).

Keys come from one static PEM key or the issuer's JWKS, fetched here under a size cap and a time limit, one
fetch at a time; a fetch that fails keeps the last good key set, and the next is tried soon after, so a JWKS
that hung once does not lock everyone out after it recovers."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable

import anyio
import httpx
import jwt
from mcp.server.auth.provider import AccessToken

from mcp_server.app.providers import tls_context
from mcp_server.core.errors import BadResponse
from mcp_server.core.upstream.bodies import ACCEPTED, read_capped

log = logging.getLogger("outbound_mcp.http")

# Asymmetric algorithms only: an HMAC algorithm would let a public key be used as a shared secret.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
UNKNOWN_KID_REFETCH = 60.0
"""Seconds between fetches a token with an unknown key id may cause: made-up ids cannot turn this server
against the issuer."""
KEYS_LIFESPAN = 600.0
"""Seconds a fetched key set is used before it is fetched again (rotated keys are picked up)."""
FAILED_RETRY = 2.0
"""Seconds after a failed fetch before the next is tried (the last good set serves meanwhile)."""
JWKS_TIMEOUT = 5.0
"""Seconds one JWKS fetch may take in all."""
JWKS_MAX_BYTES = 512 * 1024
"""A JWKS is a few KB; a larger answer is refused before it is held (a 200 MB one once took RSS to 827 MB)."""

_FETCH_FAILURES = (httpx.HTTPError, TimeoutError, BadResponse, ValueError, jwt.PyJWTError)


class JwtVerifier:
    """Verifies against a JWKS URL or one static PEM key."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        public_key: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        if (jwks_url is None) == (public_key is None):
            raise ValueError("give exactly one of jwks_url and public_key")
        self.issuer = issuer
        self.audience = audience
        self._jwks_url = jwks_url
        self._key = public_key
        self._clock = clock
        self._keys: dict[str | None, jwt.PyJWK] = {}
        self._fetched_at = -math.inf
        """When the key set in use was fetched (-inf: never)."""
        self._tried_at = -math.inf
        self._attempts = 0
        self._lock = anyio.Lock()

    async def _key_for(self, token: str) -> object:
        if self._jwks_url is None:
            return self._key
        kid = jwt.get_unverified_header(token).get("kid")
        if kid is not None and not isinstance(kid, str):
            raise jwt.InvalidKeyError("the key id is not a string")
        now = self._clock()
        due = now - self._fetched_at >= (KEYS_LIFESPAN if kid in self._keys else UNKNOWN_KID_REFETCH)
        if due and now - self._tried_at >= FAILED_RETRY:
            await self._refresh(self._attempts)
        key = self._keys.get(kid)
        if key is None:
            raise jwt.InvalidKeyError("unknown key id")
        return key.key

    async def _refresh(self, attempts_seen: int) -> None:
        """Fetch the key set once for every call waiting: whoever finds a newer attempt takes its outcome."""
        async with self._lock:
            if self._attempts != attempts_seen:
                return
            self._attempts += 1
            self._tried_at = self._clock()
            try:
                keys = await self._fetch()
            except _FETCH_FAILURES as exc:
                kept = f"the last good set ({len(self._keys)} keys) stays in use" if self._keys else "no keys yet"
                log.warning("JWKS fetch failed (%s): %s", type(exc).__name__, kept)
                return
            self._keys, self._fetched_at = keys, self._clock()

    async def _fetch(self) -> dict[str | None, jwt.PyJWK]:
        assert self._jwks_url is not None
        headers = {"Accept": "application/json", "Accept-Encoding": ACCEPTED}
        client = httpx.AsyncClient(verify=tls_context(), follow_redirects=False, timeout=JWKS_TIMEOUT)
        with anyio.fail_after(JWKS_TIMEOUT):
            async with client as http, http.stream("GET", self._jwks_url, headers=headers) as response:
                body = await read_capped(response, JWKS_MAX_BYTES, "the JWKS")
                response.raise_for_status()
        found = jwt.PyJWKSet.from_dict(json.loads(body))
        return {key.key_id: key for key in found.keys}

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            key = await self._key_for(token)
            claims = jwt.decode(
                token,
                key,  # type: ignore[arg-type]
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
                leeway=30,
            )
            if not str(claims["sub"]).strip():
                # Sessions, cursors and replays are bound to the subject: an empty one would be everyone's.
                raise jwt.InvalidTokenError("empty subject")
        except jwt.PyJWTError as exc:
            # The reason only (never the token): "Signature has expired", "Invalid audience"...
            log.info("refused an access token: %s", type(exc).__name__)
            return None
        scopes = str(claims.get("scope", "")).split()
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or claims["sub"]),
            scopes=scopes,
            expires_at=int(claims["exp"]),
            subject=str(claims["sub"]),
            claims={"iss": claims["iss"]},
        )
