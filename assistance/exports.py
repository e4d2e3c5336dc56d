"""The two money lists of a campaign, built here for the admin (and any other caller):

* the **bank file** (代发清单): applications approved and not yet paid that have the payee's account,
  in the layout of a Chinese bank's batch payment (代发/批量转账) upload: the instruction to the bank.
  Approved applications without an account are left out and counted (``Export.left_out``);
* the **payment record** (发放记录): payments made, with the bank's references.

The bank file's layout (docs/assistance.md): a first row with the count and the sum, then the header
序号 · 收款人账号 · 收款人姓名 · 收款银行 · 金额 · 用途 · 备注, one row per application. Account numbers
and amounts are text (an account never becomes a number cell that loses its digits; amounts always
have two decimals); the csv is GBK, as bank clients read it; every text cell goes through
``union_portal.core.spreadsheets.escape_formula``.

Masked by default. A list with full names, ID and account numbers needs the unmasked-export permission
and a written reason; either way the export, with its reason, goes to the access log.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from union_portal.core.errors import ApplicationError
from union_portal.core.models import AccessLog, log_access
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.spreadsheets import CSV, XLSX, csv_bytes, safe_row, xlsx_bytes

from .models import AidApplication, Campaign, Payment, State

BANK_FILE = "bank_file"
PAYMENT_RECORD = "payment_record"
UNMASKED_PERM = "members.export_unmasked_member"
FORMATS = ("xlsx", "csv")
#: What bank clients in China expect of an uploaded csv (a superset of GB2312; Windows code page 936).
BANK_CSV_ENCODING = "gbk"
#: Rows of the bank file before the first payment: the totals, then the header.
BANK_FILE_HEAD_ROWS = 2
#: The column of the bank file holding the application number (备注), to name a row that cannot be written.
BANK_FILE_REMARKS = 6


@dataclass(frozen=True)
class Export:
    rows: list[list]  # the header first (for the bank file, the totals row, then the header)
    stem: str
    fmt: str
    content: bytes
    content_type: str
    left_out: int = 0  # bank file: approved applications left out for want of the payee's account

    @property
    def filename(self) -> str:
        return f"{self.stem}-{timezone.localtime():%Y%m%d-%H%M}.{self.fmt}"


def _money_text(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _bank_file_rows(campaign: Campaign, viewer, unmasked: bool) -> tuple[list[list], int]:
    approved = AidApplication.objects.visible_to(viewer).filter(campaign=campaign, state=State.APPROVED)
    # The service sets the payee's bank and account together; the encrypted account cannot be compared in SQL.
    applications = list(
        approved.exclude(payee_bank="").select_related("member").order_by("member__union__path", "pk")
    )
    left_out = approved.filter(payee_bank="").count()
    total = sum((a.amount_approved for a in applications), Decimal("0"))
    # The words of the layout have their own translations (序号, 收款人账号 ...), as bank templates name them.
    rows = [
        [
            pgettext("bank file", "total count"), len(applications),
            pgettext("bank file", "total amount (yuan)"), _money_text(total),
        ],
        [
            pgettext("bank file", "no."), pgettext("bank file", "payee's account number"),
            pgettext("bank file", "payee's name"), pgettext("bank file", "payee's bank"),
            pgettext("bank file", "amount (yuan)"), pgettext("bank file", "purpose"),
            pgettext("bank file", "remarks (application no.)"),
        ],
    ]  # fmt: skip
    for index, application in enumerate(applications, 1):
        member = application.member
        rows.append([
            index,
            application.payee_account if unmasked else application.masked_payee_account,
            member.name if unmasked else member.masked_name,
            application.payee_bank,
            _money_text(application.amount_approved),
            campaign.name,
            str(application.pk),
        ])  # fmt: skip
    return rows, left_out


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


def bank_csv_bytes(rows: list[list]) -> bytes:
    """The bank file as a GBK csv, every text cell escaped like every spreadsheet we write. A name or a
    bank that GBK cannot hold (a rare character) is refused with the application numbers: the xlsx
    file holds every character, and a bank client would garble the name."""
    out = io.StringIO()
    csv.writer(out).writerows(safe_row(row) for row in rows)
    text = out.getvalue()
    try:
        return text.encode(BANK_CSV_ENCODING)
    except UnicodeEncodeError:
        pass
    numbers = []
    for row in rows[BANK_FILE_HEAD_ROWS:]:
        try:
            ",".join(str(cell) for cell in row).encode(BANK_CSV_ENCODING)
        except UnicodeEncodeError:
            numbers.append(str(row[BANK_FILE_REMARKS]))
    raise ApplicationError(
        _(
            "Applications %(numbers)s have characters that the bank's csv (GBK) cannot hold: "
            "download the xlsx file, or check the name and the bank with the bank."
        ),
        code="not_gbk",
        params={"numbers": "、".join(numbers) or "—"},
    )


def campaign_export(
    *, campaign: Campaign, by, kind: str, unmasked: bool = False, reason: str = "", request=None,
    fmt: str = "xlsx",
) -> Export:  # fmt: skip
    """The bank file or the payment record of a campaign, as a file; logged with the reason."""
    require_perm(by, "assistance.export_payment")
    require_visible(by, campaign)
    if fmt not in FORMATS:
        raise ApplicationError(_("Unknown format."), code="invalid", field="fmt")
    reason = " ".join((reason or "").split())[:200]
    if unmasked:
        require_perm(by, UNMASKED_PERM)
        if not reason:
            raise ApplicationError(
                _("Write why you need the full ID and account numbers."), code="required", field="reason"
            )
    left_out = 0
    if kind == BANK_FILE:
        (rows, left_out), stem = _bank_file_rows(campaign, by, unmasked), f"bank-file-{campaign.pk}"
        count = len(rows) - BANK_FILE_HEAD_ROWS
        content = xlsx_bytes(rows) if fmt == "xlsx" else bank_csv_bytes(rows)
        content_type = XLSX if fmt == "xlsx" else f"text/csv; charset={BANK_CSV_ENCODING}"
    elif kind == PAYMENT_RECORD:
        rows, stem = _payment_record_rows(campaign, by, unmasked), f"payments-{campaign.pk}"
        count = len(rows) - 1
        content, content_type = (xlsx_bytes(rows), XLSX) if fmt == "xlsx" else (csv_bytes(rows), CSV)
    else:
        raise ApplicationError(_("Unknown list."), code="invalid")
    log_access(
        actor=by,
        action=AccessLog.Action.EXPORT,
        target=AidApplication if kind == BANK_FILE else Payment,
        reason=f"{campaign.name} · {kind} · {'unmasked: ' + reason if unmasked else 'masked'}"[:300],
        request=request,
        row_count=count,
    )
    return Export(
        rows=rows, stem=stem, fmt=fmt, content=content, content_type=content_type, left_out=left_out
    )
