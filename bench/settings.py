"""Settings of the bench processes: the project's own, plus bench-only URLs and templates.

Run with the environment of ``bench.common.BENCH_ENV`` (DEBUG off, fixed keys): the production shape.
"""

from union_portal.settings import *  # noqa: F403
from union_portal.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
