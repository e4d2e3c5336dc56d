"""The scale data registry (``union_portal/core/scale.py``): every app's ``<app>/scale.py`` is found and
builds its rows, so the benchmarks measure real rows for every app (not 0)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from bench import common as bench_common
from union_portal.core import scale
from union_portal.core.models import Counter


def test_every_domain_app_declares_scale_data_in_installed_apps_order():
    labels = [label for label, _module in scale.parts()]

    assert labels == ["members", "assistance", "volunteers", "quiz", "legal_aid", "competitions"]
    assert all(getattr(module, "MODELS", ()) for _label, module in scale.parts())


def test_a_partial_build_names_only_apps_with_scale_data():
    assert [label for label, _module in scale.parts(["members", "quiz"])] == ["members", "quiz"]
    with pytest.raises(ValueError, match="No scale data in: nonesuch"):
        scale.parts(["members", "nonesuch"])


@pytest.mark.django_db
def test_generate_scale_builds_rows_of_every_app():
    """The one full build of the tests (the four apps' demos through their services: a few minutes)."""
    out = io.StringIO()

    call_command("generate_scale", members=400, seed=5, verbosity=0, stdout=out)

    empty = [
        model._meta.label
        for label, module in scale.parts()
        if label in ("volunteers", "quiz", "legal_aid", "competitions")
        for model in module.MODELS
        if model._meta.model_name.startswith("historical") is False
        and model._meta.label.split(".")[1] in _COUNTED[label]
        and not model.objects.exists()
    ]
    assert empty == []
    assert (
        Counter.objects.get(name=scale.MARKER_VERSION).value
        == scale.SCALE_VERSION
        == bench_common.SCALE_VERSION
    )
    assert "Built 400 members" in out.getvalue()


#: The models each part reports in its counts: each must have rows after a build.
_COUNTED = {
    "volunteers": {"Team", "Volunteer", "Activity", "Signup", "ServiceRecord", "StarLevelEvent", "TrainingSession"},
    "legal_aid": {"Station", "Lawyer", "Shift", "Consultation", "DisputeCase"},
    "competitions": {"Contest", "Entry", "Judge", "ScoreSheet", "HonourTitle", "NominationRound", "Nomination", "Honour"},
    "quiz": {"Quiz", "QuestionBank", "Question", "Participant", "Attempt", "QuizMonth"},
}  # fmt: skip
