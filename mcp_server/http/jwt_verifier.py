"""OAuth 2.1 resource-server mode: access tokens are JWTs signed by the configured issuer, checked for
signature, issuer, audience and expiry (PyJWT; the SDK's ``TokenVerifier`` protocol)."""

from __future__ import annotations

import logging
import time

import anyio
import jwt
from mcp.server.auth.provider import AccessToken

log = logging.getLogger("outbound_mcp.http")

# Asymmetric algorithms only: an HMAC algorithm would let a public key be used as a shared secret.
UNKNOWN_KID_REFETCH = 60.0
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]


class JwtVerifier:
    """Verifies against a JWKS URL (keys fetched in a worker thread, cached by PyJWT) or one static PEM key."""

    def __init__(self, *, issuer: str, audience: str, jwks_url: str | None = None, public_key: str | None = None):
        if (jwks_url is None) == (public_key is None):
            raise ValueError("give exactly one of jwks_url and public_key")
        self.issuer = issuer
        self.audience = audience
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=600, timeout=10) if jwks_url else None
        self._key = public_key
        self._kids: set[str | None] = set()
        self._refreshed = -UNKNOWN_KID_REFETCH

    async def _key_for(self, token: str) -> object:
        if self._jwks is None:
            return self._key
        jwks = self._jwks
        kid = jwt.get_unverified_header(token).get("kid")
        # A key id not in the last JWKS fetched refetches it, at most once a minute: a flood of tokens
        # with made-up ids cannot turn this server against the issuer.
        if kid not in self._kids and time.monotonic() - self._refreshed >= UNKNOWN_KID_REFETCH:
            self._refreshed = time.monotonic()
            keys = await anyio.to_thread.run_sync(lambda: jwks.get_jwk_set(refresh=True))
            self._kids = {k.key_id for k in keys.keys}
        if kid not in self._kids:
            raise jwt.InvalidKeyError("unknown key id")
        return (await anyio.to_thread.run_sync(jwks.get_signing_key_from_jwt, token)).key

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
