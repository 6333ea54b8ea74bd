"""The Snov.io simulator: ``app`` mounts the API modules beside it, which share one ``core``."""
