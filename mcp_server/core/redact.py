"""Secrets never reach a log line: one filter on stderr logging that masks every known secret."""

from __future__ import annotations

import base64
import html
import json
import logging
import re
import sys
from collections import OrderedDict
from collections.abc import Generator, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import quote, quote_plus

MASK = "[REDACTED]"
# Header values are masked even when the secret is not known yet (a freshly fetched token).
_AUTH_PATTERN = re.compile(
    r"(?i)((?:authorization|x-api-key|apikey|access_token|client_secret)['\"]?\s*[:=]\s*['\"]?)"
    r"(?:bearer\s+)?[^\s'\",&}]+"
)


SUBSTRING_FLOOR = 6
"""Secrets this long are masked wherever they appear; shorter ones only where they stand alone (a word of
their own), so that a 4-character token is hidden and ordinary words in data are not."""
SHORT_FLOOR = 3
"""Below this a value cannot be told from ordinary text at all: not masked."""


def wire_forms(secret: str) -> set[str]:
    """The forms a secret takes on the wire and in echoes of it: as is, form- and URL-encoded (either hex
    case), JSON-escaped (with PHP's ``\\/``) and HTML-escaped. A URL-safe token has just the one form."""
    forms = {secret, html.escape(secret)}
    for encoded in (quote_plus(secret), quote(secret, safe=""), quote(secret)):
        forms |= {encoded, _PERCENT.sub(lambda m: m.group(0).lower(), encoded)}
    for escaped in (json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]):
        forms |= {escaped, escaped.replace("/", "\\/")}
    return forms


def base64_forms(value: str) -> set[str]:
    raw = value.encode()
    return {base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("=")}


_PERCENT = re.compile(r"%[0-9A-F]{2}")


class Redactor:
    """Holds the secrets to mask; providers add tokens as they obtain them."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._added: set[str] = set()
        self._longest_first: list[str] = []
        self._shortest = 0
        """Length of the shortest form held: a shorter text holds none of them (most values of an answer)."""
        self._short: set[str] = set()
        self._short_pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if not secret or len(secret) < SHORT_FLOOR or secret in self._added:
            return
        self._added.add(secret)
        if len(secret) >= SUBSTRING_FLOOR:
            self._add_forms(wire_forms(secret))
        elif secret not in self._short:
            self._short.add(secret)
            alternatives = "|".join(re.escape(s) for s in sorted(self._short, key=len, reverse=True))
            self._short_pattern = re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")

    def add_pair(self, user: str, secret: str) -> None:
        """A user and secret that may travel together as Basic auth (``base64("user:secret")``)."""
        if user and secret:
            self._add_forms(base64_forms(f"{user}:{secret}"))

    def _add_forms(self, forms: set[str]) -> None:
        fresh = {form for form in forms if len(form) >= SUBSTRING_FLOOR} - self._secrets
        if fresh:
            self._secrets |= fresh
            # Longest first, so that an encoded form is masked whole rather than around a shorter secret.
            self._longest_first = sorted(self._secrets, key=len, reverse=True)
            self._shortest = len(self._longest_first[-1])

    def __len__(self) -> int:
        """Forms held: what every masked text is searched for."""
        return len(self._secrets) + len(self._short)

    def __call__(self, text: str) -> str:
        return _AUTH_PATTERN.sub(lambda m: m.group(1) + MASK, self.known(text))

    def known(self, text: str) -> str:
        """Only the known secrets masked: for data, where ``apikey: ...`` may be a stranger's words."""
        if len(text) >= self._shortest:
            for secret in self._longest_first:
                if secret in text:
                    text = text.replace(secret, MASK)
        if self._short_pattern is not None:
            text = self._short_pattern.sub(MASK, text)
        return text


CALLERS = 1024
"""Callers whose secrets are kept ready at once (more than ``provider.USER_SERVICES``, so a caller's redactor
outlives its services); an evicted caller's are rebuilt from its next request."""
_CALLER: ContextVar[Redactor | None] = ContextVar("outbound_mcp_caller_secrets", default=None)


class ProcessRedactor(Redactor):
    """The process-wide redactor: the server's own secrets masked everywhere, and each caller's (per-user
    credential headers, the tokens they obtain) within that caller's own calls only, from a bounded cache.
    Adding every caller's secrets here would grow without bound and slow every masked text (15,000 keys made
    a list call 25x slower)."""

    def __init__(self) -> None:
        super().__init__()
        self._callers: OrderedDict[str, Redactor] = OrderedDict()

    def known(self, text: str) -> str:
        text = super().known(text)
        scoped = _CALLER.get()
        return text if scoped is None else scoped.known(text)

    @contextmanager
    def caller(self, key: str, secrets: Iterable[str]) -> Generator[None]:
        """Within: also mask the secrets of the caller ``key`` names ("" for the server's own credentials)."""
        if not key:
            yield
            return
        scoped = self._callers.get(key)
        if scoped is None:
            scoped = self._callers[key] = Redactor(secrets)
            if len(self._callers) > CALLERS:
                self._callers.popitem(last=False)
        else:
            self._callers.move_to_end(key)
        reset = _CALLER.set(scoped)
        try:
            yield
        finally:
            _CALLER.reset(reset)

    def in_caller(self) -> bool:
        """Whether this runs within a caller's own call (see ``caller``)."""
        return _CALLER.get() is not None

    def add_for_caller(self, secret: str) -> None:
        """A secret obtained with the current caller's credentials: masked in its calls (everywhere outside one)."""
        (_CALLER.get() or self).add(secret)


REDACTOR = ProcessRedactor()
"""The process-wide redactor: every server adds its secrets, every log record passes through it."""

_installed = False


def install_redaction() -> None:
    """Mask secrets when each log record is made, so that every handler (and test capture) sees masked text."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)  # type: ignore[arg-type]
        try:
            record.msg = REDACTOR(record.getMessage())
        except (TypeError, ValueError):
            record.msg = REDACTOR(str(record.msg))
        record.args = None
        if record.exc_info:
            record.exc_text = REDACTOR(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)


def log_to_stderr(level: int = logging.INFO) -> None:
    """Everything logs to stderr (stdout is the protocol under stdio)."""
    install_redaction()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
