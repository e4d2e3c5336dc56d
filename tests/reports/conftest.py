"""Report fixtures: private media, the hardship-aid story across a year end (tests/assistance)."""

from __future__ import annotations

import pytest

from ..assistance.fixtures import aid  # noqa: F401  (the story's fixtures)
from ..assistance.test_figures import story  # noqa: F401
from ..legal_aid.conftest import legal  # noqa: F401


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def build(django_capture_on_commit_callbacks):
    """Ask for a report through the service and build it as the worker would (eager, after commit)."""
    from union_portal.reports import services

    def _build(*, by, organisation, period, period_kind="custom", areas=("members", "aid")):
        with django_capture_on_commit_callbacks(execute=True):
            run = services.report_request(
                by=by, organisation=organisation, period=period, period_kind=period_kind, areas=list(areas)
            )
        run.refresh_from_db()
        return run

    return _build
