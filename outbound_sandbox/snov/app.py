"""The Snov.io simulator: every method of the vendor's API page, served under ``/snov``.

Auth: POST /v1/oauth/access_token (form or JSON: ``grant_type=client_credentials``,
``client_id``, ``client_secret`` = ``config.SNOV_CLIENT_ID``/``SNOV_CLIENT_SECRET``) answers
``{"access_token", "token_type": "Bearer", "expires_in": config.token_lifetime}``; the token
really expires after ``config.real_seconds(token_lifetime)``. Other calls need
``Authorization: Bearer TOKEN`` (a bare token or an ``access_token`` field also works).
Wrong credentials answer 401 ``{"error": "invalid_client", "error_description", "message"}``
(the OAuth server's format), a wrong grant type 400 ``unsupported_grant_type``.

The modules beside this one hold the rest: ``core`` (parsing, auth, limits, credits and the
error shapes), ``data`` and ``crm`` (seeded names tests can rely on), ``search``
(v2 domain search), ``v1`` (v1 queue pairs), ``v2`` (their v2 replacements),
``campaigns``, ``lists`` and ``account``. Tests can read ``spent`` and ``balance``
and lower ``core.row_cap`` (activity rows per request, 10,000; ``reset`` restores it).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from outbound_sandbox import config as cfg
from outbound_sandbox.kit import SandboxEnv
from outbound_sandbox.snov.account import AccountApi
from outbound_sandbox.snov.campaigns import CampaignApi
from outbound_sandbox.snov.core import SnovCore, failure, parse_call
from outbound_sandbox.snov.crm import SnovCrm
from outbound_sandbox.snov.data import SnovDatabase
from outbound_sandbox.snov.lists import ListApi
from outbound_sandbox.snov.search import SearchApi
from outbound_sandbox.snov.v1 import V1Api
from outbound_sandbox.snov.v2 import V2Api

TOKEN_PATH = "/v1/oauth/access_token"


class SnovSandbox:
    prefix = cfg.SNOV_PREFIX

    def __init__(self, env: SandboxEnv) -> None:
        self.env = env
        self.core = SnovCore(env)
        self.apis = [
            SearchApi(self.core),
            V1Api(self.core),
            V2Api(self.core),
            CampaignApi(self.core),
            ListApi(self.core),
            AccountApi(self.core),
        ]

    @property
    def spent(self) -> float:
        """Credits spent since the last reset."""
        return self.core.spent

    @property
    def balance(self) -> float:
        return self.core.balance

    @property
    def db(self) -> SnovDatabase:
        return self.core.db

    @property
    def crm(self) -> SnovCrm:
        return self.core.crm

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [Route(TOKEN_PATH, self.access_token, methods=["POST"])]
        for api in self.apis:
            routes.extend(api.routes())
        methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        routes.append(Route("/{path:path}", self.not_found, methods=methods))
        return routes

    def reset(self) -> None:
        self.core.reset()

    def error_response(self, status: int, message: str) -> Response:
        return self.core.error_response(status, message)

    def rate_limited_response(self, request: Request) -> Response:
        return self.core.rate_limited_response(request)

    async def not_found(self, request: Request) -> Response:
        return failure("Not found", status=404)

    async def access_token(self, request: Request) -> Response:
        call = await parse_call(request)
        if call.text("grant_type") != "client_credentials":
            message = "The authorization grant type is not supported by the authorization server."
            body = {"error": "unsupported_grant_type", "error_description": message, "message": message}
            return JSONResponse(body, status_code=400)
        if call.text("client_id") != cfg.SNOV_CLIENT_ID or call.text("client_secret") != cfg.SNOV_CLIENT_SECRET:
            message = "Client authentication failed"
            body = {"error": "invalid_client", "error_description": message, "message": message}
            return JSONResponse(body, status_code=401)
        lifetime = self.env.config.token_lifetime
        expires_in: float = int(lifetime) if float(lifetime).is_integer() else lifetime
        return JSONResponse({"access_token": self.core.issue_token(), "token_type": "Bearer", "expires_in": expires_in})
