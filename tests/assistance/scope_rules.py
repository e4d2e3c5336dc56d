"""Scope-walk rules of hardship aid and the inbox (discovered by ``tests/scope/rules.py``)."""

from __future__ import annotations


def _aid(w):
    """Town B's hardship-aid records of the victim member, made once per world through the services."""
    cached = w.__dict__.get("_aid")
    if cached is not None:
        return cached
    import datetime as dt
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from assistance import services as aid
    from assistance.models import Campaign, HelpCentre, MutualAidScheme, Pairing, Visit
    from union_portal.notifications.models import Notification

    staff, today = w.people.district_staff, timezone.localdate()
    file = aid.hardship_file_open(
        member=w.victim_member,
        by=staff,
        level="severe",
        causes=["illness"],
        household=[{"name": "外镇秘密会员", "relation": "self", "age": 40, "monthly_income": "1000"}],
    )
    campaign = aid.campaign_save(
        campaign=Campaign(
            kind="festival",
            name="乐平秘密送温暖",
            year=today.year,
            festival="spring",
            organisation=w.tree.town_b,
            budget=Decimal("10000"),
            standard_amount=Decimal("500"),
            opens_on=today - dt.timedelta(days=1),
            closes_on=today + dt.timedelta(days=30),
        ),
        by=staff,
    )
    scheme = MutualAidScheme.objects.create(
        name="乐平秘密互助",
        year=today.year,
        organisation=w.tree.town_b,
        deductible=Decimal("100"),
        ratio=Decimal("0.5"),
        annual_cap=Decimal("1000"),
        enrol_opens_on=today,
        enrol_closes_on=today,
    )
    application = aid.application_submit(
        member=w.victim_member,
        by=w.victim_user,
        kind="festival",
        data={"reason": "外镇秘密困难", "campaign": campaign},
    )
    document = aid.document_add(
        application=application,
        by=w.victim_user,
        upload=SimpleUploadedFile("外镇秘密.pdf", b"%PDF-1.4 secret"),
    )
    aid.application_check(application=application, by=staff)
    aid.application_approve(application=application, by=staff)
    aid.application_pay(application=application, by=staff, method="cash")
    cached = {
        "file": file, "campaign": campaign, "scheme": scheme, "application": application, "document": document,
        "payment": application.payment,
        "enrolment": aid.mutual_aid_enrol(scheme=scheme, member=w.victim_member, by=staff, on=today),
        "centre": HelpCentre.objects.create(name="乐平秘密帮扶站", organisation=w.tree.town_b, address="乐平"),
        "visit": Visit.objects.create(file=file, visited_on=today, visitors="乐平秘密走访", recorded_by=staff),
        "pairing": Pairing.objects.create(file=file, helper_name="乐平秘密帮扶人", starts_on=today),
        "notification": Notification.objects.create(recipient=w.victim_user, kind="t", title="外镇秘密消息", key="walk"),
    }  # fmt: skip
    w.__dict__["_aid"] = cached
    return cached


def _fresh_application(w, state: str):
    """A new temporary-relief application of the victim member (town B), moved to ``state`` by the
    district, so that a command on it would succeed for someone allowed."""
    from decimal import Decimal

    from assistance import services as aid

    staff = w.people.district_staff
    application = aid.application_submit(
        member=w.victim_member,
        by=w.victim_user,
        kind="relief",
        data={"reason": "外镇临时困难", "amount_requested": Decimal("500")},
    )
    for step, wanted in (
        (aid.application_check, "checked"),
        (aid.application_approve, "approved"),
        (lambda **kw: aid.application_pay(method="cash", **kw), "paid"),
    ):
        if application.state == state:
            break
        application = step(application=application, by=staff)
        assert application.state == wanted
    return application


def register(rules) -> None:
    from assistance import models as aid
    from union_portal.notifications.models import Notification

    rules.VICTIMS.update({
        aid.HelpCentre: lambda w: _aid(w)["centre"],
        aid.HardshipFile: lambda w: _aid(w)["file"],
        aid.Campaign: lambda w: _aid(w)["campaign"],
        aid.MutualAidScheme: lambda w: _aid(w)["scheme"],
        aid.MutualAidEnrolment: lambda w: _aid(w)["enrolment"],
        aid.AidApplication: lambda w: _aid(w)["application"],
        aid.Payment: lambda w: _aid(w)["payment"],
        aid.Document: lambda w: _aid(w)["document"],
        aid.Visit: lambda w: _aid(w)["visit"],
        aid.Pairing: lambda w: _aid(w)["pairing"],
        Notification: lambda w: _aid(w)["notification"],
    })  # fmt: skip
    rules.ADMIN_EXTRA_URLS["assistance_campaign_payments"] = {"fmt": "csv"}
    rules.ADMIN_EXTRA_URLS["assistance_campaign_bank_file"] = {"fmt": "csv"}
    rules.PORTAL_URLS.update({
        "aid:home": ("own", "the viewer's own applications and what they filed"),
        "aid:apply": ("own", "the viewer applies for themselves"),
        "aid:proxy_apply": ("own", "a proxy agent's form; the member is looked up within their area"),
        "aid:detail": (aid.AidApplication, "pk"),
        "aid:withdraw": (aid.AidApplication, "pk"),
        "aid:payee": (aid.AidApplication, "pk"),
        "aid:upload": (aid.AidApplication, "pk"),
        "aid:document": (aid.Document, "pk"),
        "notifications:inbox": ("own", "the viewer's own messages"),
        "notifications:open": (Notification, "pk"),
        "notifications:read_all": ("own", "marks the viewer's own messages"),
    })  # fmt: skip
    rules.COMMANDS.update(
        {
            "v1:aid-application-check": lambda w: {"note": "已核实"},
            "v1:aid-application-approve": lambda w: {"note": "同意"},
            "v1:aid-application-reject": lambda w: {"reason": "不符合条件"},
            "v1:aid-application-pay": lambda w: {"method": "cash"},
            "v1:aid-application-close": lambda w: {"note": "结案"},
            "v1:aid-application-withdraw": lambda w: {"note": "撤回"},
            "v1:aid-application-payee": lambda w: {
                "payee_bank": "工商银行",
                "payee_account": "6222021234567890128",
            },
            "v1:aid-application-list": lambda w: {
                "member": w.victim_member.pk,
                "kind": "relief",
                "reason": "越权代填",
                "amount_requested": "500",
            },
        }
    )
    rules.COMMAND_VICTIMS.update(
        {
            "v1:aid-application-check": lambda w: _fresh_application(w, "submitted"),
            "v1:aid-application-approve": lambda w: _fresh_application(w, "checked"),
            "v1:aid-application-reject": lambda w: _fresh_application(w, "submitted"),
            "v1:aid-application-pay": lambda w: _fresh_application(w, "approved"),
            "v1:aid-application-close": lambda w: _fresh_application(w, "paid"),
            "v1:aid-application-withdraw": lambda w: _fresh_application(w, "submitted"),
            "v1:aid-application-payee": lambda w: _fresh_application(w, "approved"),
        }
    )
    rules.COMMAND_ACTORS["v1:aid-application-withdraw"] = lambda w: w.victim_user
    rules.API_COMMAND_URLS["v1:aid-figures"] = "aggregates only, with assistance.view_aid_figures"
