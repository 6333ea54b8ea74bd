"""The task benchmark (issue 30): rep tasks run twice on a freshly seeded sandbox through an MCP client,
once as a scripted plan over the endpoint tools and once over the outcome tools; each run's end state is
checked by the task's verifier. Printed side by side: calls, o200k tokens received, credits, verifier.

``python -m benchmarks.bench_tasks`` prints the per-task table; ``python -m benchmarks.run tasks`` adds
its figures to the benchmark table (each outcome path beside the endpoint path as its baseline).
"""

from __future__ import annotations

import sys

import anyio

from benchmarks.common import Figure, sandbox
from benchmarks.task_kit import Outcome, Task, run_plan
from benchmarks.tasks_prospecting import TASKS as PROSPECTING
from benchmarks.tasks_questions import TASKS as QUESTIONS

TASKS: list[Task] = [*PROSPECTING, *QUESTIONS]
FACTOR = 3.0
"""Issue 30: on its measured requests the outcome path is at least this much cheaper in tokens and calls."""
KNOBS = {"job_delay": 0.2, "rate_limits": False}


async def measure() -> list[tuple[Task, Outcome, Outcome]]:
    results: list[tuple[Task, Outcome, Outcome]] = []
    with sandbox(**KNOBS) as (box, urls):
        for task in TASKS:
            print(f"  task: {task.name}", file=sys.stderr, flush=True)
            endpoint = await run_plan(box, urls, task, task.endpoint)
            outcome = await run_plan(box, urls, task, task.outcome)
            results.append((task, endpoint, outcome))
    return results


def cheaper(endpoint: Outcome, outcome: Outcome) -> bool:
    return endpoint.tokens >= FACTOR * outcome.tokens and endpoint.calls >= FACTOR * outcome.calls


def side_by_side(results: list[tuple[Task, Outcome, Outcome]]) -> str:
    head = [
        "| task | calls (endpoint / outcome) | tokens received, o200k (endpoint / outcome) | credits | verifier |",
        "|---|---|---|---|---|",
    ]
    rows = []
    for task, e, o in results:
        star = " *" if task.in_issue else ""
        verdict = f"{'pass' if e.passed else 'FAIL'} / {'pass' if o.passed else 'FAIL'}"
        ratio = e.tokens / o.tokens if o.tokens else float("inf")
        rows.append(
            f"| {task.name}{star} | {e.calls} / {o.calls} | {e.tokens:,} / {o.tokens:,} ({ratio:.1f}x) "
            f"| {e.credits:g} / {o.credits:g} | {verdict} |"
        )
    total_e = sum(e.tokens for _, e, _ in results)
    total_o = sum(o.tokens for _, _, o in results)
    calls_e = sum(e.calls for _, e, _ in results)
    calls_o = sum(o.calls for _, _, o in results)
    rows.append(f"| all {len(results)} tasks | {calls_e} / {calls_o} | {total_e:,} / {total_o:,} | | |")
    errors = [f"{task.name}: {r.error}" for task, e, o in results for r in (e, o) if r.error]
    return "\n".join([*head, *rows, "", "* one of issue 30's measured requests", *errors])


async def run() -> list[Figure]:
    results = await measure()
    print(side_by_side(results), file=sys.stderr, flush=True)
    figures = []
    for task, endpoint, outcome in results:
        both = endpoint.passed and outcome.passed
        goal = f">= {FACTOR:g}x fewer tokens and calls, both verified" if task.in_issue else "both verified"
        met = both and cheaper(endpoint, outcome) if task.in_issue else both
        figures.append(Figure(f"task: {task.name} (outcome tools)", outcome.cell(), endpoint.cell(), goal, met))
    return figures


if __name__ == "__main__":
    print(side_by_side(anyio.run(measure)))
