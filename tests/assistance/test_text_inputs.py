"""Issue 9 item 2 in hardship aid: every text a person types goes through ``clean_text`` in the
services (control and bidirectional characters refused, invisible ones removed, too long refused)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from assistance import services
from assistance.models import AidApplication
from union_portal.core.errors import ApplicationError

from .factories import submit_festival


def test_a_reason_with_a_control_character_before_a_formula_is_refused(aid):
    with pytest.raises(ApplicationError) as info:
        submit_festival(aid, reason='\x01=HYPERLINK("http://x.cn","点我")')
    assert (info.value.field, info.value.code) == ("reason", "invalid_characters")
    assert AidApplication.objects.count() == 0


def test_a_payment_reference_is_cleaned_and_refused_when_too_long(aid, people):
    application = services.application_check(application=submit_festival(aid), by=people.officer_a)
    services.application_approve(application=application, by=people.district_staff)
    for reference, code in (("NS\u202e001", "invalid_characters"), ("N" * 101, "too_long")):
        with pytest.raises(ApplicationError) as info:
            services.application_pay(
                application=application, by=people.district_staff, method="bank", reference=reference
            )
        assert (info.value.field, info.value.code) == ("reference", code)
    paid = services.application_pay(
        application=application, by=people.district_staff, method="bank", reference="\u200bNS2026001"
    )
    assert paid.payment.reference == "NS2026001"


def test_notes_of_steps_files_and_visits_are_cleaned(aid, people):
    application = submit_festival(aid)
    with pytest.raises(ApplicationError) as info:
        services.application_check(application=application, by=people.officer_a, note="\x1b[31m")
    assert (info.value.field, info.value.code) == ("note", "invalid_characters")
    with pytest.raises(ApplicationError) as info:
        services.application_check(application=application, by=people.officer_a, note="核" * 301)
    assert (info.value.field, info.value.code) == ("note", "too_long")
    application.refresh_from_db()
    assert application.state == "submitted"  # nothing moved
    services.application_check(application=application, by=people.officer_a, note="已核实\n情况属实")
    assert application.steps.order_by("pk").last().note == "已核实\n情况属实"  # a line break is kept

    file = services.hardship_file_update(
        file=aid.file, by=people.district_staff, data={"notes": "\u200b长期\u00ad病患"}
    )
    assert file.notes == "长期病患"
    with pytest.raises(ApplicationError) as info:
        services.visit_record(
            file=aid.file, by=people.district_staff, visited_on=timezone.localdate() - dt.timedelta(days=1),
            visitors="王主席", notes="\u202e慰问",
        )  # fmt: skip
    assert (info.value.field, info.value.code) == ("notes", "invalid_characters")
