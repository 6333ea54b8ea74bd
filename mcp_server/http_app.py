"""Kept for imports of the first layout: the HTTP app now lives in ``mcp_server.http``."""

from mcp_server.http.app import HttpOptions, OAuth, build_http_app

__all__ = ["HttpOptions", "OAuth", "build_http_app"]
