"""Secrets never reach a log line: one filter on stderr logging that masks every known secret."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

MASK = "[REDACTED]"
# Header values are masked even when the secret is not known yet (a freshly fetched token).
_AUTH_PATTERN = re.compile(
    r"(?i)((?:authorization|x-api-key|apikey|access_token|client_secret)['\"]?\s*[:=]\s*['\"]?)"
    r"(?:bearer\s+)?[^\s'\",&}]+"
)


class Redactor:
    """Holds the secrets to mask; providers add tokens as they obtain them."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        # Very short values would mask ordinary words; real credentials are longer.
        if secret and len(secret) >= 6:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        return _AUTH_PATTERN.sub(lambda m: m.group(1) + MASK, self.known(text))

    def known(self, text: str) -> str:
        """Only the known secrets masked: for data, where ``apikey: ...`` may be a stranger's words."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        return text


REDACTOR = Redactor()
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
