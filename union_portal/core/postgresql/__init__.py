"""The project's PostgreSQL backend: Django's, with the health check of a persistent connection made
only after it sat idle (see :mod:`.base`)."""
