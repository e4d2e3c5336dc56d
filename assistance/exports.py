"""The two money lists of a campaign, built here for the admin (and any other caller):

* the **bank file** (代发清单): applications approved and not yet paid, with the payee's bank and
  account: the instruction to the bank;
* the **payment record** (发放记录): payments made, with the bank's references.

Masked by default. A list with full ID and account numbers needs the unmasked-export permission and
a written reason; either way the export, with its reason, goes to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.models import AccessLog, log_access
from union_portal.core.permissions import require_perm, require_visible

from .models import AidApplication, Campaign, Payment, State

BANK_FILE = "bank_file"
PAYMENT_RECORD = "payment_record"
UNMASKED_PERM = "members.export_unmasked_member"


@dataclass(frozen=True)
class Export:
    rows: list[list]  # the header first
    stem: str


def _bank_file_rows(campaign: Campaign, viewer, unmasked: bool) -> list[list]:
    applications = (
        AidApplication.objects.visible_to(viewer)
        .filter(campaign=campaign, state=State.APPROVED)
        .select_related("member__union")
        .order_by("member__union__path", "pk")
    )
    rows = [[
        _("no."), _("payee"), _("resident ID number"), _("payee's bank"), _("payee's account number"),
        _("amount"), _("application"), _("union"),
    ]]  # fmt: skip
    for index, application in enumerate(applications, 1):
        member = application.member
        rows.append([
            index,
            member.name if unmasked else member.masked_name,
            member.id_number if unmasked else member.masked_id_number,
            application.payee_bank,
            application.payee_account if unmasked else application.masked_payee_account,
            application.amount_approved,
            application.pk,
            member.union.name,
        ])  # fmt: skip
    return rows


def _payment_record_rows(campaign: Campaign, viewer, unmasked: bool) -> list[list]:
    payments = (
        Payment.objects.visible_to(viewer)
        .filter(campaign=campaign)
        .select_related("member__union", "application")
        .order_by("member__union__path", "pk")
    )
    rows = [[
        _("no."), _("name"), _("resident ID number"), _("union"), _("amount"), _("method"), _("reference"),
        _("paid on"), _("application"),
    ]]  # fmt: skip
    for index, payment in enumerate(payments, 1):
        member = payment.member
        rows.append([
            index,
            member.name if unmasked else member.masked_name,
            member.id_number if unmasked else member.masked_id_number,
            member.union.name,
            payment.amount,
            str(payment.get_method_display()),
            payment.reference,
            payment.paid_on.isoformat(),
            payment.application_id,
        ])  # fmt: skip
    return rows


def campaign_export(
    *, campaign: Campaign, by, kind: str, unmasked: bool = False, reason: str = "", request=None
) -> Export:
    """The bank file or the payment record of a campaign, as rows; logged with the reason."""
    require_perm(by, "assistance.export_payment")
    require_visible(by, campaign)
    reason = " ".join((reason or "").split())[:200]
    if unmasked:
        require_perm(by, UNMASKED_PERM)
        if not reason:
            raise ApplicationError(
                _("Write why you need the full ID and account numbers."), code="required", field="reason"
            )
    if kind == BANK_FILE:
        rows, stem = _bank_file_rows(campaign, by, unmasked), f"bank-file-{campaign.pk}"
    elif kind == PAYMENT_RECORD:
        rows, stem = _payment_record_rows(campaign, by, unmasked), f"payments-{campaign.pk}"
    else:
        raise ApplicationError(_("Unknown list."), code="invalid")
    log_access(
        actor=by,
        action=AccessLog.Action.EXPORT,
        target=AidApplication if kind == BANK_FILE else Payment,
        reason=f"{campaign.name} · {kind} · {'unmasked: ' + reason if unmasked else 'masked'}"[:300],
        request=request,
        row_count=len(rows) - 1,
    )
    return Export(rows=rows, stem=stem)
