"""Snov.io's "queue, then ask again" pairs read as the document states them: after paying to queue,
"not found" means "not yet" until the wait ends, and then the answer is a handle, not a verdict."""

from __future__ import annotations

import pytest

from mcp_server.providers.snov import tasks
from outbound_sandbox.app import Sandbox
from tests.providers.snov.outreach_helpers import ok
from tests.providers.typed import Connect
from tests.sandbox_clock import SandboxClock

pytestmark = pytest.mark.anyio

ALEX = {"first_name": "Alex", "last_name": "Rivera", "domain": "acme.com"}
GHOST = {"first_name": "Ghost", "last_name": "Writer", "domain": "acme.com"}


async def test_after_queueing_a_name_the_call_waits_through_not_found_until_the_email_appears(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    sandbox.config.job_delay = 0.5
    async with connect() as client:
        found = ok(await client.call_tool("snov_find_email", {**ALEX, "queue_if_missing": True}))

    assert found["status"] == "found" and found["credits"] == 1
    assert found["emails"] == [{"email": "alex.rivera@acme.com", "status": "valid"}]
    assert len(sandbox.env.handled("POST", "/snov/v1/get-emails-from-names")) >= 3
    assert sandbox.snov.spent == 1


async def test_a_queued_name_still_missing_when_the_wait_ends_gets_a_handle_not_a_verdict(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    async with connect(poll_wait=0.3) as client:
        first = ok(await client.call_tool("snov_find_email", {**GHOST, "queue_if_missing": True}))
        again = ok(await client.call_tool("snov_find_email", {**GHOST, "handle": first["handle"]}))

    assert first["status"] == "running" and first["credits"] == 1 and first["handle"]
    assert again["status"] == "running" and again["credits"] == 0 and again["handle"]
    assert len(sandbox.env.handled("POST", "/snov/v1/add-names-to-find-emails")) == 1


async def test_a_name_queued_longer_ago_than_the_patience_is_reported_not_found_without_a_new_charge(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
):
    async with connect(poll_wait=0.2) as client:
        first = ok(await client.call_tool("snov_find_email", {**GHOST, "queue_if_missing": True}))
        # Handles are signed, so the test cannot write an old one: it lets the patience run out instead.
        monkeypatch.setattr(tasks, "QUEUED_PATIENCE", 0.0)
        verdict = ok(await client.call_tool("snov_find_email", {**GHOST, "handle": first["handle"]}))

    assert first["status"] == "running" and first["credits"] == 1
    assert verdict["status"] == "not_found" and verdict["credits"] == 0 and "handle" not in verdict
    assert "since it was queued" in verdict["hint"] and "free" in verdict["hint"]
    assert len(sandbox.env.handled("POST", "/snov/v1/add-names-to-find-emails")) == 1


async def test_a_url_already_looked_up_is_answered_by_the_free_lookup_without_paying_again(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    person = sandbox.snov.db.people["acme.com"][7]
    async with connect() as client:
        first = ok(await client.call_tool("snov_find_profile_by_url", {"url": person.url}))
        # A spend tool has no write-replay guard: the second call reaches the free lookup.
        second = ok(await client.call_tool("snov_find_profile_by_url", {"url": person.url}))

    assert first["status"] == second["status"] == "found" and second["name"] == person.name
    assert (first["credits"], second["credits"]) == (1, 0)
    assert len(sandbox.env.handled("POST", "/snov/v1/add-url-for-search")) == 1
    assert sandbox.snov.spent == 1


async def test_a_queued_url_is_collected_although_the_lookup_first_answers_without_a_profile(
    connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    sandbox.config.job_delay = 0.5
    person = sandbox.snov.db.people["globex.com"][2]
    async with connect() as client:
        found = ok(await client.call_tool("snov_find_profile_by_url", {"url": person.url}))

    assert found["status"] == "found" and found["name"] == person.name and found["credits"] == 1
    assert len(sandbox.env.handled("POST", "/snov/v1/get-emails-from-url")) >= 3


async def test_a_url_still_processing_past_the_wait_gets_a_handle_that_collects_it_for_free(
    sandbox_clock: SandboxClock, connect: Connect, quick_jobs: Sandbox, profile: str, sandbox: Sandbox
):
    sandbox.config.job_delay = 0.8
    person = sandbox.snov.db.people["globex.com"][3]
    async with connect(poll_wait=0.2) as client:
        first = ok(await client.call_tool("snov_find_profile_by_url", {"url": person.url}))
        sandbox_clock.advance(0.8)
        second = ok(await client.call_tool("snov_find_profile_by_url", {"url": person.url, "handle": first["handle"]}))

    assert first["status"] == "running" and first["credits"] == 1 and first["handle"]
    assert second["status"] == "found" and second["credits"] == 0 and second["name"] == person.name
    assert len(sandbox.env.handled("POST", "/snov/v1/add-url-for-search")) == 1
    assert sandbox.snov.spent == 1
