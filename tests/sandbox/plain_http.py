"""The sandbox answers plain HTTP on loopback: its test clients share one TLS context rather than each loading
the CA bundle (about 50 ms of CPU a client, more than many sandbox tests take otherwise)."""

from __future__ import annotations

import ssl

SHARED_TLS = ssl.create_default_context()
