"""Answer sizes in tokens, by OpenAI's o200k encoding (run offline by ``bpe-openai``): the yardstick the answer
budget speaks in. Other tokenizers count differently; the budgets leave a margin for them (``output``).

Loading the encoding takes about a second, so it happens on first need only, and ``fits`` answers without it
whenever a cheap bound settles the question: no token is shorter than one byte.
"""

from __future__ import annotations

import functools
import threading

# The Rust tokenizer itself: its count needs no token list, and it loads in half the time of the tiktoken-like
# wrapper, which also builds decoding tables this module never uses.
from bpe_openai._bindings import PyTokenizer, tokenizer_for_encoding

ENCODING = "o200k_base"
_loading = threading.Lock()


@functools.cache
def _tokenizer() -> PyTokenizer:
    with _loading:
        return tokenizer_for_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """How many o200k tokens ``text`` is."""
    return _tokenizer().count(text)


def fits(text: str, budget: int) -> bool:
    """Whether ``text`` is at most ``budget`` tokens; counted only when its byte length does not settle it."""
    if len(text.encode()) <= budget:
        return True
    return _tokenizer().count_till_limit(text, budget) is not None
