"""The Epixel simulator: ``app`` serves the routes, ``http`` parses and answers as DRF does, ``data`` seeds."""
