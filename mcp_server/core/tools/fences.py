"""The fence around stranger-written text (``<untrusted-content>``) and its look-alikes.

Inside a fence, anything that could read as the fence's own tag is escaped, look-alikes too (fullwidth or
small brackets, invisible characters inside the word, ``&lt;`` spelled out). A write argument that carries
one is refused (``fenced_fields``): text copied out of a fence goes back to the CRM with its markers, where
it would show in merge fields of sent emails.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from mcp_server.core.guards import is_dict, is_list

OPEN, CLOSE = "<untrusted-content>", "</untrusted-content>"
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
_BRACKETS = str.maketrans(dict.fromkeys("\u3008\u27e8\u2039\u276e\u1438\u02c2", "<"))
"""Angle brackets NFKC keeps apart: CJK, mathematical, quotation, ornament, syllabics and modifier forms."""
_MARK = re.compile(r"(?i)(?:<|&lt;?|&#0*60;?|&#x0*3c;?)\s*/?\s*untrusted")
"""The start of the tag, on text already folded (``_folded``): ``<``, ``< /``, ``&lt;``, ``&#60;``..."""
_ASCII_MARK = re.compile(r"(?i)<(\s*/?\s*untrusted)")


def _folded(text: str) -> str:
    """Look-alikes as what they look like: compatibility forms folded (fullwidth or small ``<``), invisible
    characters dropped, and the angle brackets a tag could be drawn with read as ``<``."""
    if text.isascii():  # every look-alike and invisible character is outside ASCII, and NFKC keeps ASCII as is
        return text
    folded = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    return folded.translate(_BRACKETS)


def carries_fence(text: str) -> bool:
    """Whether ``text`` holds the fence's tag or something that reads as it."""
    if text.isascii() and "<" not in text and "&" not in text:  # no bracket, no entity: no tag to spell
        return False
    return _MARK.search(_folded(text)) is not None


def escaped(text: str) -> str:
    """``text`` safe inside a fence: the tag escaped (``&lt;untrusted``); text with a look-alike is folded first,
    so the look-alike is escaped as the tag it imitates."""
    if carries_fence(text):
        text = _folded(text)
    return _ASCII_MARK.sub(r"&lt;\1", text)


def is_ours(text: str) -> bool:
    """Already fenced by ``output.untrusted``: one fence around text with every inner tag escaped."""
    if not (text.startswith(OPEN) and text.endswith(CLOSE)):
        return False
    return not carries_fence(text[len(OPEN) : -len(CLOSE)].replace("&lt;", "&amp;"))


def fenced_fields(value: Any, path: str = "") -> list[str]:
    """The argument paths (``note``, ``leads[2].title``) whose text carries the fence or a look-alike."""
    if isinstance(value, str):
        return [path or "(value)"] if carries_fence(value) else []
    if is_dict(value):
        return [
            hit for key, item in value.items() for hit in fenced_fields(item, f"{path}.{key}" if path else str(key))
        ]
    if is_list(value):
        return [hit for i, item in enumerate(value) for hit in fenced_fields(item, f"{path}[{i}]")]
    return []
