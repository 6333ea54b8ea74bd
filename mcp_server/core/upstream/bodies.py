"""Reading an answer's body under a cap on DECODED bytes, however many content encodings are stacked.

httpx decodes each raw chunk whole, so 7 KB of gzip-of-gzip on the wire can become gigabytes in one step;
here every layer inflates at most what is left of the cap, and the first byte past it ends the read.
"""

from __future__ import annotations

import zlib

import httpx

from mcp_server.core.errors import BadResponse

ACCEPTED = "gzip, deflate"
"""The encodings the core asks for and decodes itself (sent as ``Accept-Encoding``)."""


class _Inflate:
    """One gzip or deflate layer (deflate as zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Up to ``room + 1`` bytes of output: one more than the room says the cap is passed."""
        try:
            out = self._z.decompress(data, room + 1)
        except zlib.error:
            if self._gzip or self._started:
                raise
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._z.decompress(data, room + 1)
        self._started = True
        return out

    def end(self, room: int) -> bytes:
        return self._z.flush(room + 1)


class CappedBody:
    """Feeds raw chunks through the answer's content encodings; raises once the decoded body passes ``cap``."""

    def __init__(self, content_encoding: str, cap: int, provider: str) -> None:
        self.cap = cap
        self.provider = provider
        names = [name.strip().lower() for name in content_encoding.split(",") if name.strip()]
        unknown = [name for name in names if name not in ("gzip", "x-gzip", "deflate", "identity")]
        if unknown:
            raise BadResponse(
                f"the API answered in an encoding it was not asked for ({', '.join(unknown)[:60]}); refused",
                provider=provider,
                hint="This is usually temporary: try again in a minute.",
            )
        # Applied left to right by the server, so undone right to left.
        self._layers = [_Inflate(name != "deflate") for name in reversed(names) if name != "identity"]
        self._made = [0] * len(self._layers)
        self.chunks: list[bytes] = []
        self.size = 0

    def feed(self, raw: bytes) -> None:
        self._add(self._through(raw, final=False))

    def finish(self) -> bytes:
        self._add(self._through(b"", final=True))
        return b"".join(self.chunks)

    def _through(self, data: bytes, *, final: bool) -> bytes:
        for index, layer in enumerate(self._layers):
            try:
                out = layer.feed(data, self._room(index)) if data else b""
                if final:
                    out += layer.end(self._room(index) - len(out))
            except zlib.error:
                raise BadResponse(
                    "the API answered with a body its own Content-Encoding cannot decode",
                    provider=self.provider,
                    hint="This is usually temporary: try again in a minute.",
                ) from None
            self._made[index] += len(out)
            if self._made[index] > self.cap:
                raise self._too_big()
            data = out
        return data

    def _room(self, index: int) -> int:
        return max(0, self.cap - self._made[index])

    def _add(self, decoded: bytes) -> None:
        self.size += len(decoded)
        if self.size > self.cap:
            raise self._too_big()
        if decoded:
            self.chunks.append(decoded)

    def _too_big(self) -> BadResponse:
        return BadResponse(
            f"the API answered with more than {self.cap // (1024 * 1024)} MiB; refused", provider=self.provider
        )


async def read_capped(response: httpx.Response, cap: int, provider: str) -> bytes:
    """The decoded body of a streamed ``response``, refused past ``cap`` decoded bytes."""
    body = CappedBody(response.headers.get("content-encoding", ""), cap, provider)
    async for raw in response.aiter_raw():
        body.feed(raw)
    return body.finish()
