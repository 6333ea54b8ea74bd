"""Every upstream endpoint is declared once, in its provider's client.py, with its method and idempotency."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from mcp_server.core.upstream.client import ApiClient
from mcp_server.core.upstream.endpoints import Endpoint
from mcp_server.providers.epixel.client import Endpoints as EpixelEndpoints
from mcp_server.providers.persistiq.client import Endpoints as PersistiqEndpoints
from mcp_server.providers.snov.client import Endpoints as SnovEndpoints
from tests.confirm_helpers import agrees
from tests.providers.typed import SettingsFor

PROVIDERS = Path(__file__).parents[2] / "mcp_server" / "providers"
TABLES = {"PersistIQ": PersistiqEndpoints, "Snov.io": SnovEndpoints, "Epixel": EpixelEndpoints}
VERSIONED = re.compile(r"^/?v[12]/")
# The POSTs sent as retryable before the tables existed (idempotent=True at the call): reads, value sets,
# token requests and Snov.io's charged-once domain-search starts. Any other POST is a write sent once.
IDEMPOTENT_POSTS: dict[str, set[str]] = {
    "Snov.io": {
        "v1/oauth/access_token",
        "v1/change-recipient-status",
        "v1/get-prospect-by-id",
        "v1/get-prospects-by-email",
        "v1/prospect-list",
        "v1/get-emails-from-names",
        "v1/get-emails-verification-status",
        "v1/get-emails-from-url",
        "v1/get-domain-emails-count",
        "v2/domain-search/start",
        "v2/domain-search/prospects/start",
        "v2/domain-search/prospects/search-emails/start/{prospect_hash}",
        "v2/domain-search/domain-emails/start",
        "v2/domain-search/generic-contacts/start",
    },
    "Epixel": {"user/login/", "user/token/refresh/", "leads/update/lead/", "leads/update/appointment/"},
    "PersistIQ": set(),
}


def declared(table: type) -> list[Endpoint]:
    return [value for value in vars(table).values() if isinstance(value, Endpoint)]


def tool_modules() -> list[Path]:
    return sorted(path for path in PROVIDERS.rglob("*.py") if path.name != "client.py")


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def test_no_provider_module_outside_client_py_writes_an_upstream_path_or_requests_a_literal_path():
    found: list[str] = []
    for path in tool_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and VERSIONED.match(node.value):
                found.append(f"{path.name}:{node.lineno} {node.value!r}")
            if isinstance(node, ast.Call) and _name(node) == "request":
                target = node.args[1] if len(node.args) > 1 else None
                if isinstance(target, ast.Constant | ast.JoinedStr):
                    found.append(f"{path.name}:{node.lineno} .request with a literal path")

    assert found == []


def test_no_provider_call_passes_idempotent_by_hand():
    found = [
        f"{path.relative_to(PROVIDERS)}:{node.lineno}"
        for path in sorted(PROVIDERS.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and _name(node) != "Endpoint"
        and any(keyword.arg == "idempotent" for keyword in node.keywords)
    ]

    assert found == []


def test_the_posts_declared_idempotent_are_the_ones_sent_as_retryable_before():
    for provider, table in TABLES.items():
        posts = {e.path for e in declared(table) if e.method == "POST" and e.idempotent}
        assert posts == IDEMPOTENT_POSTS[provider], provider
    every = [e for table in TABLES.values() for e in declared(table)]
    # Only POSTs say it: every other method is left to ApiClient's rule (GET, PUT, DELETE retry).
    assert {e.idempotent for e in every if e.method != "POST"} == {None}
    assert {e.idempotent for e in every if e.method == "POST"} == {True, None}


def test_an_endpoint_with_ids_fills_them_in_as_given_and_keeps_its_method_and_idempotency():
    endpoint = Endpoint("POST", "v2/things/{thing_id}/start", idempotent=True)

    bound = endpoint.at(thing_id="a+b=")

    assert bound == Endpoint("POST", "v2/things/a+b=/start", idempotent=True)
    assert endpoint.link.allows("POST", "v2/things/7/start") and not endpoint.link.allows("GET", "v2/things/7/start")


class Recorder:
    """Wraps ``ApiClient.request`` and keeps (provider, method, path, idempotent) of every request sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, bool | None]] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = ApiClient.request

        async def request(client: ApiClient, method: str, path: str, **kwargs: Any) -> Any:
            self.sent.append((client.provider, method, path, kwargs.get("idempotent")))
            return await original(client, method, path, **kwargs)

        monkeypatch.setattr(ApiClient, "request", request)

    def endpoint_of(self, provider: str, method: str, path: str) -> Endpoint | None:
        return next((e for e in declared(TABLES[provider]) if e.link.allows(method, path.split("?")[0])), None)


# Every field an Epixel update requires: with them the tool sends the update without reading the lead first.
NAMED = {"first_name": "Jane", "last_name": "Doe", "email": "jane.doe@acme.com", "phone": "5550100123"}
CALLS = [
    ("snov_get_prospect", {"prospect_id": "xusD3-T_K5IktGoaa8Jc8A=="}),
    ("snov_find_prospects_by_email", {"email": "gavin.vanrooyen@octagon.com"}),
    ("snov_list_prospects_in_list", {"list_id": 1250344, "limit": 1}),
    ("snov_count_domain_emails", {"domain": "acme.com"}),
    ("snov_find_email", {"first_name": "Jane", "last_name": "Doe", "domain": "acme.com"}),
    ("snov_verify_emails", {"emails": ["jane.doe@acme.com"]}),
    ("snov_change_recipient_status", {"campaign_id": 1, "email": "jane.doe@acme.com", "status": "Paused"}),
    ("snov_domain_search", {"domain": "acme.com"}),
    ("snov_list_domain_prospects", {"domain": "acme.com", "limit": 1}),
    ("snov_find_prospect_email", {"prospect": "0123456789abcdef"}),
    ("snov_list_domain_emails", {"domain": "acme.com", "limit": 1}),
    ("snov_list_generic_contacts", {"domain": "acme.com", "limit": 1}),
    ("snov_find_profile_by_url", {"url": "https://www.linkedin.com/in/jane-doe"}),
    ("epixel_update_lead", {"slug": "no-such-lead", **NAMED, "status": "customer"}),
    ("epixel_update_appointment", {"appointment_id": 1, "appointment_status": "confirmed"}),
]


@pytest.mark.anyio
async def test_each_request_the_tools_send_uses_its_endpoints_declared_idempotency(
    settings_for: SettingsFor, monkeypatch: pytest.MonkeyPatch
):
    from mcp import Client

    from mcp_server.server import create_server

    recorder = Recorder()
    recorder.install(monkeypatch)
    async with Client(
        create_server(settings_for(poll_wait=0.2, snov_rate_limit=10_000)), elicitation_callback=agrees
    ) as client:
        for tool, arguments in CALLS:
            await client.call_tool(tool, arguments)  # an upstream refusal still sent the request

    seen: set[tuple[str, str]] = set()
    for provider, method, path, idempotent in recorder.sent:
        endpoint = recorder.endpoint_of(provider, method, path)
        if endpoint is None:
            continue  # a result link an answer gave (its own URL)
        assert idempotent == endpoint.idempotent, (method, path)
        if endpoint.method == "POST" and endpoint.idempotent:
            seen.add((provider, endpoint.path))
    expected = {(p, path) for p, paths in IDEMPOTENT_POSTS.items() for path in paths}
    # A token is refreshed only after the API refused it.
    assert seen == expected - {("Epixel", "user/token/refresh/")}
