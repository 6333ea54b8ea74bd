"""What a link from a model or an API answer may stand for: one endpoint (method and path pattern), not any
path on the API's origin. A link that means "the next page" or "this job's result" is followed only there."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_PLACEHOLDER = re.compile(r"\\\{[A-Za-z_][A-Za-z0-9_]*\\\}")


@dataclass(frozen=True)
class Link:
    """The endpoint(s) a followed link must match: ``method`` and paths relative to the base URL, where
    ``{name}`` matches exactly one non-empty path segment. The query is the link's own."""

    method: str
    paths: tuple[str, ...]

    @classmethod
    def to(cls, method: str, *paths: str) -> Link:
        return cls(method.upper(), tuple(path.strip("/") for path in paths))

    def allows(self, method: str, relative_path: str) -> bool:
        """Whether ``method`` on ``relative_path`` (decoded, relative to the base path) is this endpoint."""
        if method.upper() != self.method:
            return False
        path = relative_path.strip("/")
        return any(_pattern(candidate).fullmatch(path) for candidate in self.paths)

    def describe(self) -> str:
        return " or ".join(f"{self.method} {path}" for path in self.paths)


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(_PLACEHOLDER.sub("[^/]+", re.escape(path)))


def climbs(path: str) -> bool:
    """A ``..`` segment, even percent-encoded, climbs out of the base path once the server decodes it."""
    if "." not in path and "%" not in path:  # most paths: nothing that could spell a dot
        return False
    return ".." in unquote(path.split("?", 1)[0].split("#", 1)[0]).replace("\\", "/").split("/")
