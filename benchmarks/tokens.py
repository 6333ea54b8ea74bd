"""Tokens a model receives, counted with o200k_base (``bpe-openai`` ships the encoding offline).

One function on purpose: when the server's own token counter lands (issue "strict"), point this at it.
"""

from __future__ import annotations

import functools

from bpe_openai import Encoding, get_encoding


@functools.cache
def _o200k() -> Encoding:
    return get_encoding("o200k_base")


def count_tokens(text: str) -> int:
    return len(_o200k().encode(text))
