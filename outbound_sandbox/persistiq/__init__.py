"""The PersistIQ simulator: ``app`` serves the routes, ``data`` holds the records and their seed."""
