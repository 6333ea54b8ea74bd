"""Streamable HTTP for a team: host and origin gate, CORS, callers, per-user credentials, bounds."""
