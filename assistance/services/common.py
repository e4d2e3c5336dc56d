"""What every write of hardship aid shares: amounts in yuan, typed text through ``clean_text``,
the payee's bank account, and the one error they raise."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.validators import clean_text

CENT = Decimal("0.01")
REASON_MAX = 300


def _invalid(message, field: str | None = None, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except ArithmeticError:
        raise _invalid(_("Enter an amount in yuan."), field) from None
    if amount < 0:
        raise _invalid(_("The amount cannot be negative."), field)
    if amount >= Decimal("1e10"):
        raise _invalid(_("The amount is too large."), field)
    return amount


def _text(
    value, field: str, *, required: bool = True, limit: int | None = REASON_MAX, multiline: bool = False
) -> str:
    """Text a person typed, through ``clean_text``: control and bidirectional characters refused,
    invisible ones removed, too long refused (never cut)."""
    try:
        text = clean_text(value, max_length=limit, multiline=multiline)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field=field) from None
    if required and not text:
        raise _invalid(_("This is required."), field, "required")
    return text


def clean_bank_account(value) -> str:
    """A bank account or card number: 8 to 30 digits; spaces and hyphens as people write them are dropped."""
    account = "".join(str(value or "").split()).replace("-", "")
    if not account.isascii() or not account.isdigit() or not 8 <= len(account) <= 30:
        raise _invalid(_("Enter the account number: 8 to 30 digits."), "payee_account")
    return account


def _payee(bank, account) -> tuple[str, str]:
    bank = _text(bank, "payee_bank", required=False, limit=100)
    if not bank and not (account or "").strip():
        return "", ""
    if not bank:
        raise _invalid(_("Enter the bank of the account."), "payee_bank", "required")
    return bank, clean_bank_account(account)
