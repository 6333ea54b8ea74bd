"""The fast loop (``python -m pytest -m "not e2e"``) skips exactly the tests that start processes or servers:
an unmarked test that starts one fails, saying to mark it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.http_helpers import served

pytestmark = pytest.mark.anyio


def test_an_unmarked_test_that_starts_a_process_fails_saying_to_mark_it_e2e():
    with pytest.raises(pytest.fail.Exception, match=r"starts a process .*mark it @pytest\.mark\.e2e"):
        subprocess.run([sys.executable, "-c", "pass"], check=True)


async def test_an_unmarked_test_that_serves_http_fails_saying_to_mark_it_e2e():
    with pytest.raises(pytest.fail.Exception, match=r"starts an HTTP server: mark it @pytest\.mark\.e2e"):
        async with served(object()):  # refused before the app is looked at
            pass


@pytest.mark.e2e
def test_a_test_marked_e2e_may_start_a_process():
    assert subprocess.run([sys.executable, "-c", "print('up')"], capture_output=True, text=True).stdout == "up\n"
