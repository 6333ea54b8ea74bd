"""What per-user credential keys cost every masked answer: ``python -m benchmarks.redactor_growth``.

Masks one 100-row page (700 strings) with 15,000 distinct per-user keys seen, kept the old way (all in one
process-wide redactor, the baseline) and the current way (each caller's keys masked in its own calls, from a
bounded cache), beside a redactor holding the server's own key only."""

from __future__ import annotations

import time
from collections.abc import Callable

from mcp_server.core.redact import ProcessRedactor, Redactor

USERS = 15_000
SERVER_KEY = "server-own-key-000000"
ROWS = [
    [f"l_{i:06d}", "active", f"First{i}", f"Last{i}", f"user{i}@example.org", "Acme Inc", "Head of Sales"]
    for i in range(100)
]
TEXTS = [cell for row in ROWS for cell in row]


def user_key(n: int) -> str:
    return f"per-user-key-{n:06d}-5d1c9e"


def ms_per_page(redactor: Redactor, rounds: int = 20) -> float:
    mask: Callable[[str], str] = redactor.known
    started = time.perf_counter()
    for _ in range(rounds):
        for text in TEXTS:
            mask(text)
    return (time.perf_counter() - started) / rounds * 1000


def main() -> None:
    everyone = Redactor([SERVER_KEY, *(user_key(n) for n in range(USERS))])
    own = Redactor([SERVER_KEY])
    current = ProcessRedactor()
    current.add(SERVER_KEY)
    for n in range(USERS):
        with current.caller(f"caller-{n}", [user_key(n)]):
            pass
    with current.caller(f"caller-{USERS - 1}", [user_key(USERS - 1)]):
        scoped = ms_per_page(current)
    print(f"masking a 100-row page with {USERS:,} per-user keys seen:")
    print(f"  current (each caller's keys in its own calls) {scoped:8.2f} ms   process-wide forms: {len(current)}")
    print(f"  baseline (every key process-wide)             {ms_per_page(everyone):8.2f} ms   forms: {len(everyone)}")
    print(f"  server's own key only                         {ms_per_page(own):8.2f} ms")


if __name__ == "__main__":
    main()
