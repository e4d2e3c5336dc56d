"""The portal: a member applies with documents and follows the case; nobody reaches another's."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance import services
from assistance.models import AidApplication, Document, State
from union_portal.notifications import backends
from union_portal.notifications.models import Notification

from ..accounts.factories import PASSWORD, make_user
from ..members.factories import make_member
from .factories import make_file, submit_festival

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_member_applies_with_a_document_and_follows_the_timeline(
    client, tree, people, aid, django_capture_on_commit_callbacks
):
    _login(client, aid.member_user)
    upload = SimpleUploadedFile("诊断证明.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("aid:apply"),
            {
                "kind": "festival",
                "campaign": aid.campaign.pk,
                "reason": "爱人重病",
                "document_kind": "medical",
                "documents": [upload],
            },
        )
    application = AidApplication.objects.get(member=aid.member)
    assert response.status_code == 302 and response["Location"] == reverse(
        "aid:detail", args=[application.pk]
    )
    document = Document.objects.get(application=application)
    assert (document.original_name, document.content_type, document.extension) == (
        "诊断证明.pdf",
        "application/pdf",
        "pdf",
    )
    assert "诊断证明" not in document.file.name and document.file.name.startswith(f"aid/{application.pk}/")
    # the applicant is told on the portal and by SMS
    assert Notification.objects.filter(recipient=aid.member_user, kind="aid.submitted").count() == 1
    assert len(backends.outbox) == 1
    # staff move it on; the member sees each step on the page and in the inbox
    with django_capture_on_commit_callbacks(execute=True):
        services.application_check(application=application, by=people.officer_a)
        services.application_approve(application=application, by=people.district_staff)
    page = client.get(reverse("aid:detail", args=[application.pk])).content.decode()
    assert "¥1000.00" in page
    assert [s for s in ("submitted", "checked", "approved") if f"timeline-{s}" in page] == [
        "submitted",
        "checked",
        "approved",
    ]
    assert list(
        Notification.objects.filter(recipient=aid.member_user).order_by("pk").values_list("kind", flat=True)
    ) == [
        "aid.submitted",
        "aid.checked",
        "aid.approved",
    ]
    # the document opens for the owner
    response = client.get(reverse("aid:document", args=[document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"


def test_another_member_gets_404_everywhere(client, tree, people, aid):
    application = submit_festival(aid)
    document = services.document_add(
        application=application, by=aid.member_user, upload=SimpleUploadedFile("a.png", PNG), kind="other"
    )
    _login(client, aid.other_user)
    assert client.get(reverse("aid:detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("aid:document", args=[document.pk])).status_code == 404
    assert client.post(reverse("aid:withdraw", args=[application.pk])).status_code == 404
    upload = SimpleUploadedFile("x.pdf", PDF)
    assert (
        client.post(
            reverse("aid:upload", args=[application.pk]), {"kind": "other", "file": upload}
        ).status_code
        == 404
    )
    application.refresh_from_db()
    assert application.state == State.SUBMITTED and application.documents.count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer_a", 200), ("town_a_staff", 200), ("town_b_staff", 404), ("officer_b", 404), ("proxy_a", 404)],
)
def test_document_access_for_staff_follows_the_scope(client, tree, people, aid, who, status):
    application = submit_festival(aid)
    document = services.document_add(
        application=application, by=aid.member_user, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    client.force_login(getattr(people, who))
    assert client.get(reverse("aid:document", args=[document.pk])).status_code == status


def test_anonymous_is_sent_to_log_in(client, tree, people, aid):
    application = submit_festival(aid)
    response = client.get(reverse("aid:detail", args=[application.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("证明.pdf", b"<html><script>alert(1)</script>", "file_type"),  # named .pdf, is HTML
        ("photo.jpg", b"GIF89a" + b"\x00" * 20, "file_type"),  # a GIF is not accepted
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_documents_are_refused(tree, people, aid, name, content, code):
    application = submit_festival(aid)
    from union_portal.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as info:
        services.document_add(
            application=application, by=aid.member_user, upload=SimpleUploadedFile(name, content)
        )
    assert info.value.code == code
    assert Document.objects.count() == 0


def test_too_large_documents_are_refused(tree, people, aid, settings):
    settings.AID_DOCUMENT_MAX_BYTES = 1024
    application = submit_festival(aid)
    from union_portal.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as info:
        services.document_add(
            application=application,
            by=aid.member_user,
            upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 2000),
        )
    assert info.value.code == "too_large"


def test_the_form_shows_a_service_error_and_keeps_nothing(client, tree, people, aid):
    _login(client, aid.member_user)
    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(
        reverse("aid:apply"),
        {
            "kind": "festival",
            "campaign": aid.campaign.pk,
            "reason": "困难",
            "document_kind": "other",
            "documents": [bad],
        },
    )
    assert response.status_code == 200
    assert "PDF" in response.content.decode()
    assert AidApplication.objects.count() == 0 and Document.objects.count() == 0


def test_member_withdraws_in_the_portal(client, tree, people, aid):
    application = submit_festival(aid)
    _login(client, aid.member_user)
    response = client.post(reverse("aid:withdraw", args=[application.pk]), {"note": "已找到工作"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN


def test_proxy_agent_files_for_a_member_of_the_area_and_sees_only_that(client, tree, people, aid):
    mine_before = submit_festival(aid)  # the member's own, filed by themselves
    client.force_login(people.proxy_a)
    response = client.post(
        reverse("aid:proxy_apply"),
        {"id_number": aid.member.id_number, "kind": "medical", "reason": "住院", "medical_expenses": "6000",
         "amount_requested": "2000", "document_kind": "medical"},
    )  # fmt: skip
    filed = AidApplication.objects.get(filed_by=people.proxy_a)
    assert (
        response.status_code == 302
        and filed.member == aid.member
        and filed.amount_requested == Decimal("2000.00")
    )
    # a member of the other town is not found
    response = client.post(
        reverse("aid:proxy_apply"),
        {"id_number": aid.other_member.id_number, "kind": "medical", "reason": "住院", "medical_expenses": "6000",
         "amount_requested": "2000", "document_kind": "medical"},
    )  # fmt: skip
    assert response.status_code == 200 and AidApplication.objects.filter(member=aid.other_member).count() == 0
    # the proxy sees what they filed, not the member's own application
    assert client.get(reverse("aid:detail", args=[filed.pk])).status_code == 200
    assert client.get(reverse("aid:detail", args=[mine_before.pk])).status_code == 404
    home = client.get(reverse("aid:home")).content.decode()
    assert (
        reverse("aid:detail", args=[filed.pk]) in home
        and reverse("aid:detail", args=[mine_before.pk]) not in home
    )


def test_a_plain_member_cannot_use_the_proxy_page(client, tree, people, aid):
    _login(client, aid.member_user)
    assert client.get(reverse("aid:proxy_apply")).status_code == 403


def test_list_page_queries_do_not_grow(client, tree, people, aid):
    client.force_login(people.proxy_a)

    def file_some(count):
        for _ in range(count):
            member = make_member(tree.union_a)
            make_file(member, people.district_staff)
            services.application_submit(
                member=member,
                by=people.proxy_a,
                kind="relief",
                data={"reason": "困难", "amount_requested": "500"},
            )

    file_some(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("aid:home")).status_code == 200
    file_some(15)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("aid:home")).status_code == 200
    assert len(many) == len(few)


def test_a_member_without_membership_is_told_to_join(client, db):
    make_user(None, None, username="nobody", mobile="13700000009")
    client.login(username="nobody", password=PASSWORD)
    response = client.get(reverse("aid:apply"))
    assert response.status_code == 302 and response["Location"] == reverse("aid:home")
