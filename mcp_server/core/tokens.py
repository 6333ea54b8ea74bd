"""The one token counter: OpenAI's o200k encoding, run offline by ``bpe-openai`` (it ships its encodings). Every
budget and every figure that speaks of tokens (answer budgets, page hints, benchmarks, the README) counts here.
Other tokenizers count differently; the budgets leave a margin for them, and the benchmarks print cl100k (the
encoding before o200k, shipped in the same package) beside o200k.

The package reads every encoding it ships when imported (1 to 3 s), so it is imported on first need only,
never at start-up, and ``fits`` answers without it whenever a cheap bound settles the question: no token is
shorter than one byte.
"""

from __future__ import annotations

import functools
import importlib
import threading
from typing import Protocol, cast

ENCODING = "o200k_base"
OLDER = "cl100k_base"
"""Printed beside ``ENCODING`` by the benchmarks: how much a figure moves with the tokenizer."""
_loading = threading.Lock()


class _Counter(Protocol):
    def count(self, text: str) -> int: ...

    def count_till_limit(self, text: str, token_limit: int) -> int | None: ...


@functools.cache
def _tokenizer(encoding: str = ENCODING) -> _Counter:
    # The Rust tokenizer itself: its count needs no token list, and it loads in half the time of the
    # tiktoken-like wrapper, which also builds decoding tables this module never uses.
    with _loading:
        bindings = importlib.import_module("bpe_openai._bindings")
        return cast(_Counter, bindings.tokenizer_for_encoding(encoding))


def count_tokens(text: str, encoding: str = ENCODING) -> int:
    """How many tokens ``text`` is, in o200k unless another encoding (``OLDER``) is named."""
    return _tokenizer(encoding).count(text)


def fits(text: str, budget: int) -> bool:
    """Whether ``text`` is at most ``budget`` tokens; counted only when its byte length does not settle it."""
    if len(text.encode()) <= budget:
        return True
    return _tokenizer().count_till_limit(text, budget) is not None
