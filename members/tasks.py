"""Celery tasks of the members app: thin, idempotent, each calls one service.

(The import tasks moved to ``union_portal.imports.tasks`` with the one import pipeline.)
"""

from __future__ import annotations
