"""Snov.io tools (placeholder until written)."""
