"""Certificates: issued once per record, verified in public with a masked name, revoked with a
reason, printed as a PDF in which the Chinese really renders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from union_portal.certificates import services
from union_portal.certificates.models import Certificate
from union_portal.core.errors import ApplicationError, PermissionDeniedError

from ..accounts.factories import PASSWORD, make_user
from ..members.factories import make_member
from . import pdftext
from .factories import issue


def test_a_certificate_gets_a_long_random_code_and_issuing_twice_returns_it(holder, people):
    first = issue(holder, people.district_staff)
    again = issue(holder, people.district_staff, subject="另一段文字")
    other = issue(make_member(holder.union, name="李强"), people.district_staff)

    assert again.pk == first.pk and again.subject == "在2026年三水区叉车司机职业技能竞赛中荣获一等奖"
    assert len(first.code) == 16 and set(first.code) <= set(services.ALPHABET)
    assert first.code != other.code
    assert first.display_code == "-".join(first.code[i : i + 4] for i in (0, 4, 8, 12))
    assert (first.source_app, first.source_model, first.source_pk) == ("members", "member", str(holder.pk))
    assert first.issued_on == timezone.localdate() and first.issued_by == people.district_staff
    assert Certificate.objects.count() == 2


def test_only_staff_allowed_to_issue_in_their_scope_can_issue(holder, people):
    with pytest.raises(PermissionDeniedError):
        issue(holder, people.officer_a)  # no certificates.add_certificate
    with pytest.raises(PermissionDeniedError):
        issue(holder, people.town_b_staff)  # the holder's union is in town A
    assert Certificate.objects.count() == 0
    assert issue(holder, people.town_a_staff).organisation == holder.union


def test_text_with_control_characters_or_too_long_is_refused(holder, people):
    with pytest.raises(ApplicationError) as error:
        issue(holder, people.district_staff, holder_name="陈晓明\u202e")
    assert error.value.field == "holder_name" and error.value.code == "invalid_characters"
    with pytest.raises(ApplicationError) as error:
        issue(holder, people.district_staff, subject="奖" * 301)
    assert (error.value.field, error.value.code) == ("subject", "too_long")
    with pytest.raises(ApplicationError) as error:
        issue(holder, people.district_staff, issued_on=timezone.localdate() + dt.timedelta(days=1))
    assert error.value.field == "issued_on"
    assert Certificate.objects.count() == 0


def test_the_public_check_confirms_a_valid_certificate_with_a_masked_name(client, holder, people):
    certificate = issue(holder, people.district_staff, issued_on=dt.date(2026, 5, 1))

    response = client.get(reverse("certificates:verify", args=[certificate.code]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "This certificate is valid." in body
    assert "陈*明" in body and "陈晓明" not in body
    assert "获奖证书" in body and "荣获一等奖" in body and "2026-05-01" in body and "三水区总工会" in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_code_is_read_as_people_type_it(client, holder, people):
    certificate = issue(holder, people.district_staff)
    typed = certificate.display_code.lower().replace("0", "o").replace("1", "l")

    assert services.certificate_verify(typed).valid
    response = client.get(reverse("certificates:verify_form"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:verify", args=[certificate.code])


def test_a_tampered_code_is_not_found_and_shows_nobody(client, holder, people):
    certificate = issue(holder, people.district_staff)
    last = certificate.code[-1]
    tampered = certificate.code[:-1] + ("A" if last != "A" else "B")

    response = client.get(reverse("certificates:verify", args=[tampered]))

    body = response.content.decode()
    assert response.status_code == 404
    assert "No certificate has this code." in body and "陈" not in body
    check = services.certificate_verify(certificate.code + "X")
    assert (check.found, check.valid) == (False, False)
    assert services.certificate_verify("<script>").found is False


def test_a_revoked_certificate_says_so_and_keeps_the_reason_in_its_history(client, holder, people):
    certificate = issue(holder, people.district_staff)

    with pytest.raises(ApplicationError) as error:
        services.certificate_revoke(certificate=certificate, by=people.district_staff, reason="  ")
    assert error.value.field == "reason"
    with pytest.raises(PermissionDeniedError):
        services.certificate_revoke(certificate=certificate, by=people.town_a_staff, reason="错发")
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None

    revoked = services.certificate_revoke(
        certificate=certificate, by=people.district_staff, reason="成绩复核后更正"
    )
    again = services.certificate_revoke(certificate=certificate, by=people.district_staff, reason="再次")

    assert again.revoke_reason == "成绩复核后更正" and again.revoked_at == revoked.revoked_at
    assert certificate.history.first().history_change_reason == "成绩复核后更正"
    response = client.get(reverse("certificates:verify", args=[certificate.code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "This certificate has been revoked." in body and "This certificate is valid." not in body
    # a corrected certificate can then be issued, with a new code
    reissued = issue(holder, people.district_staff, subject="在2026年三水区叉车司机职业技能竞赛中荣获二等奖")
    assert reissued.pk != certificate.pk and reissued.code != certificate.code
    assert services.certificate_verify(reissued.code).valid


def test_the_pdf_renders_the_chinese_text_with_noto_cjk_and_carries_the_qr_code(holder, people, settings):
    settings.SITE_URL = "https://portal.example.org"
    certificate = issue(holder, people.district_staff, issued_on=dt.date(2026, 5, 1))

    pdf = services.certificate_pdf(certificate)

    assert pdf.startswith(b"%PDF-")
    fonts = pdftext.fonts(pdf)
    assert any(name.startswith("Noto-Sans-CJK-SC") for name in fonts), fonts
    text = "".join(pdftext.texts(pdf))
    assert "获奖证书" in text
    assert "陈晓明" in text  # the paper carries the full name; only the public check masks it
    assert "在2026年三水区叉车司机职业技能竞赛中荣获一等奖" in text
    assert "2026年5月1日" in text and "三水区总工会" in text
    assert certificate.display_code in text
    assert f"https://portal.example.org/portal/certificates/verify/{certificate.code}/" in text
    assert pdftext.path_segments(pdf) > 200  # the QR code, drawn as vector lines
    assert "REVOKED" not in text and "已撤销" not in text


def test_the_qr_code_leads_to_the_public_check(holder, people, settings):
    import segno

    settings.SITE_URL = "https://portal.example.org"
    certificate = issue(holder, people.district_staff)
    url = services.verification_url(certificate)

    assert url == f"https://portal.example.org/portal/certificates/verify/{certificate.code}/"
    html = services.certificate_html(certificate)
    expected = segno.make(url, error="m")
    assert expected.designator  # the URL fits a small symbol a phone reads at 30 mm
    assert expected.version <= 5
    assert "data:image/svg+xml;base64," in html


def test_the_public_check_is_limited_per_client_address(client, holder, people, settings):
    settings.CERTIFICATE_VERIFY_RATE_PER_MINUTE = 3
    certificate = issue(holder, people.district_staff)
    url = reverse("certificates:verify", args=[certificate.code])

    codes = [client.get(url, REMOTE_ADDR="10.0.0.1").status_code for _i in range(4)]

    assert codes == [200, 200, 200, 429]
    assert client.get(url, REMOTE_ADDR="10.0.0.2").status_code == 200
    forged = client.get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert forged.status_code == 429  # without trusted proxies the header is ignored


def test_the_pdf_is_served_to_the_holder_and_staff_in_scope_only(client, holder, people):
    certificate = issue(holder, people.district_staff)
    url = reverse("certificates:pdf", args=[certificate.pk])

    assert client.get(url).status_code == 302  # to the login page
    for user, expected in [
        (people.member_user, 200),
        (people.town_a_staff, 200),
        (people.town_b_staff, 404),
        (make_user(None, None, username="someone", mobile="13900000077"), 404),
    ]:
        assert client.login(username=user.username, password=PASSWORD)
        response = client.get(url)
        assert response.status_code == expected, user
        if expected == 200:
            assert response["Content-Type"] == "application/pdf"
            assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        client.logout()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_issues_for_one_record_leave_one_certificate(tree, people):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    holder = make_member(tree.union_a, name="陈晓明")
    barrier = threading.Barrier(4)
    codes, errors = [], []

    def worker():
        try:
            barrier.wait()
            codes.append(issue(holder, people.district_staff, holder_user=None).code)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(codes)) == 1
    assert Certificate.objects.count() == 1
