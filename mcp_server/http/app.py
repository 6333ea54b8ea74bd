"""The HTTP app: the SDK's streamable HTTP transport inside this project's gate, bounds and callers.

Outermost first: Host/Origin gate and CORS, public routes (``/healthz``, RFC 9728 metadata), large-body slots,
caller authentication, per-user credentials, per-client session bound (stateful mode), the SDK."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from mcp.server.auth.routes import build_resource_metadata_url, create_protected_resource_routes
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from mcp_server.http.auth import CallerAuth
from mcp_server.http.credentials import UserCredentials, UserCredentialsMode
from mcp_server.http.disconnects import CancelOnDisconnect
from mcp_server.http.jwt_verifier import JwtVerifier
from mcp_server.http.limits import LargeBodies, SessionsPerClient
from mcp_server.http.names import Allowed
from mcp_server.http.origins import OriginGuard
from mcp_server.http.rpc_ids import OddIds
from mcp_server.settings import Settings, is_loopback


@dataclass(frozen=True)
class OAuth:
    issuer: str
    resource_url: str
    audience: str
    jwks_url: str | None = None
    public_key: str | None = None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class HttpOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    token: SecretStr | None = None
    allowed_hosts: Sequence[str] = ()
    allowed_origins: Sequence[str] = ()
    stateless: bool = True
    session_idle: float = 300.0
    sessions_per_client: int = 16
    large_bodies: int = 4
    user_credentials: UserCredentialsMode = "allow"
    oauth: OAuth | None = field(default=None)

    @classmethod
    def from_settings(cls, settings: Settings, *, host: str, port: int) -> HttpOptions:
        s = settings
        oauth = None
        if s.outbound_mcp_oauth_issuer is not None and s.outbound_mcp_resource_url is not None:
            oauth = OAuth(
                issuer=s.outbound_mcp_oauth_issuer,
                resource_url=s.outbound_mcp_resource_url,
                audience=s.outbound_mcp_oauth_audience or s.outbound_mcp_resource_url,
                jwks_url=s.outbound_mcp_oauth_jwks_url,
                public_key=s.outbound_mcp_oauth_public_key,
                scopes=tuple(s.outbound_mcp_oauth_scopes),
            )
        return cls(
            host=host,
            port=port,
            token=s.outbound_mcp_http_token,
            allowed_hosts=tuple(s.outbound_mcp_allowed_hosts),
            allowed_origins=tuple(s.outbound_mcp_allowed_origins),
            stateless=s.outbound_mcp_http_stateless,
            session_idle=s.http_session_idle,
            sessions_per_client=s.http_sessions_per_client,
            large_bodies=s.http_large_bodies,
            user_credentials=s.outbound_mcp_user_credentials,
            oauth=oauth,
        )

    def hosts(self) -> list[str]:
        wildcard = self.host in ("0.0.0.0", "::", "")
        own = [] if wildcard or is_loopback(self.host) else [self.host]
        return [*own, *self.allowed_hosts]


class PublicRoutes:
    """Routes served before authentication (the protected-resource metadata); the rest goes on to ``app``."""

    def __init__(self, app: ASGIApp, routes: list[Route]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self.routes:
                match, child = route.matches(scope)
                if match is Match.FULL:
                    await route.handle({**scope, **child}, receive, send)
                    return
        await self.app(scope, receive, send)


def build_http_app(
    server: MCPServer,  # type: ignore[type-arg]
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: SecretStr | None = None,
    allowed_origins: list[str] | None = None,
    options: HttpOptions | None = None,
) -> ASGIApp:
    opts = options or HttpOptions(host=host, port=port, token=token, allowed_origins=tuple(allowed_origins or ()))
    # The gate below checks Host and Origin exactly; the SDK's own check (prefix matching) stays off.
    sdk = server.streamable_http_app(
        host=opts.host,
        stateless_http=opts.stateless,
        session_idle_timeout=opts.session_idle,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    app: ASGIApp = OddIds(sdk)
    if not opts.stateless:
        app = SessionsPerClient(CancelOnDisconnect(app), limit=opts.sessions_per_client, idle=opts.session_idle)
    app = UserCredentials(app, opts.user_credentials)
    # For container health checks and load balancers: says only that the process serves HTTP.
    public: list[Route] = [Route("/healthz", _healthz, methods=["GET"])]
    if opts.oauth is not None:
        o = opts.oauth
        verifier = JwtVerifier(issuer=o.issuer, audience=o.audience, jwks_url=o.jwks_url, public_key=o.public_key)
        # AuthSettings keeps a path-less issuer exactly as written (RFC 8414 compares issuers as strings).
        urls = AuthSettings(issuer_url=o.issuer, resource_server_url=o.resource_url, validate_token_resource=False)  # type: ignore[arg-type]
        assert urls.resource_server_url is not None
        metadata = str(build_resource_metadata_url(urls.resource_server_url))
        app = CallerAuth(app, verifier=verifier, metadata_url=metadata, scopes=o.scopes)
        public += create_protected_resource_routes(urls.resource_server_url, [urls.issuer_url], list(o.scopes) or None)
    elif opts.token is not None:
        app = CallerAuth(app, token=opts.token)
    app = LargeBodies(app, opts.large_bodies)
    app = PublicRoutes(app, public)
    return OriginGuard(app, Allowed(opts.hosts(), opts.allowed_origins))


def _healthz(_: Request) -> Response:
    return PlainTextResponse("ok")
