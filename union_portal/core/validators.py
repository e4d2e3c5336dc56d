"""Validators of Chinese identifiers: resident ID number, unified social credit
code, mobile number. One place for each rule; forms, serializers, the importer
and the services all call these.

Every function raises :class:`django.core.exceptions.ValidationError` with a
translatable message and nothing else, whatever the input.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc

# Province-level codes (GB/T 2260), first two digits of an ID number.
# 71, 81, 82: Taiwan, Hong Kong, Macao; 83: residence permits of Taiwan residents.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip

# ASCII digits only: \d would also take Arabic-Indic or Devanagari digits, which int() reads, so
# one person could be stored under two spellings with two blind indexes (found by hypothesis).
_ID18 = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_ID15 = re.compile(r"^\d{15}$", re.ASCII)
_SEPARATORS = re.compile(r"[\s\-]")
_TWO_DAYS = dt.timedelta(days=2)


@dataclass(frozen=True)
class IdNumber:
    """A checked resident ID number with what it encodes."""

    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def id_check_digit(body: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits (stdnum wants a placeholder 18th)."""
    return ric.calc_check_digit(body[:17] + "0")


def _fail(message, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def parse_id_number(value: object, *, today: dt.date | None = None) -> IdNumber:
    """Normalise and check a resident ID number (GB 11643-1999).

    Accepts a lower-case x, spaces and dashes; converts an old 15-digit number
    (inserting ``19`` and adding the check digit). Rejects a bad length or
    format, a wrong check digit, an impossible or future birth date or an
    unknown province. The county part is never checked: codes change (440683
    became 440607 in 2002) and people keep their numbers.
    """
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    # NFKC turns the full-width digits and X of Chinese input methods into ASCII.
    number = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()
    if not number:
        raise _fail(_("Enter the resident ID number."), "id_required")
    if len(number) == 15 and _ID15.match(number):
        body = number[:6] + "19" + number[6:]
        number = body + id_check_digit(body)
    elif len(number) != 18:
        raise _fail(_("A resident ID number has 18 characters (or 15 digits on old cards)."), "id_length")
    if not _ID18.match(number):
        raise _fail(_("A resident ID number has 17 digits followed by a digit or X."), "id_format")
    if number[:2] not in PROVINCE_CODES:
        raise _fail(_("The ID number starts with an unknown province code."), "id_province")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise _fail(_("The birth date in the ID number does not exist."), "id_birth_date") from None
    if birth.year < 1900 or (
        # Asking the clock in the active time zone is a tenth of a row's check: a birth date two days
        # before the date in UTC is before today in every time zone, without asking.
        (today is not None or birth > dt.datetime.now(dt.UTC).date() - _TWO_DAYS)
        and birth > (today or timezone.localdate())
    ):
        raise _fail(_("The birth date in the ID number is impossible."), "id_birth_date")
    if id_check_digit(number[:17]) != number[17]:
        raise _fail(_("The check digit of the ID number is wrong: please check every digit."), "id_checksum")
    sex = "M" if int(number[16]) % 2 else "F"
    return IdNumber(number=number, birth_date=birth, sex=sex)


def normalize_id_number(value: object) -> str:
    return parse_id_number(value).number


def validate_id_number(value: object) -> None:
    parse_id_number(value)


def normalize_uscc(value: object) -> str:
    """Check a unified social credit code (GB 32100-2015) and return it upper-case."""
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    code = _SEPARATORS.sub("", value).upper()
    if len(code) != 18:
        raise _fail(_("A unified social credit code has 18 characters."), "uscc_length")
    try:
        return uscc.validate(code)
    except uscc.InvalidChecksum:
        raise _fail(
            _("The check character of the unified social credit code is wrong."), "uscc_checksum"
        ) from None
    except (uscc.ValidationError, ValueError, IndexError):
        raise _fail(
            _("A unified social credit code has 8 digits, then 10 letters or digits (no I, O, Z, S, V)."),
            "uscc_format",
        ) from None


def validate_uscc(value: object) -> None:
    normalize_uscc(value)


#: Eleven ASCII digits that phonenumbers' own metadata calls a mainland mobile (a third of the cost of
#: importing a row was parsing them): accepted as they are; anything else is parsed.
_MOBILE = re.compile(
    f"(?:{phonenumbers.PhoneMetadata.metadata_for_region('CN').mobile.national_number_pattern})", re.ASCII
)


def normalize_mobile(value: object) -> str:
    """Check a mainland mobile number; return its 11 digits (``+86``, spaces and dashes removed)."""
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    raw = _SEPARATORS.sub("", value)
    if not raw:
        raise _fail(_("Enter a mobile number."), "mobile_required")
    if _MOBILE.fullmatch(raw):  # the common case, without parsing: what phonenumbers calls a CN mobile
        return raw
    if len(raw) > 20:
        raise _fail(_("Enter a valid mainland mobile number of 11 digits."), "mobile_invalid")
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise _fail(_("Enter a valid mainland mobile number of 11 digits."), "mobile_invalid") from None
    national = str(parsed.national_number)
    if (
        parsed.country_code != 86
        or len(national) != 11
        or not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed)
        not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    ):
        raise _fail(_("Enter a valid mainland mobile number of 11 digits."), "mobile_invalid")
    return national


def validate_mobile(value: object) -> None:
    normalize_mobile(value)


# --- free text ------------------------------------------------------------------------------------

#: Invisible characters that copy and paste leaves behind: removed.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
#: Bidirectional controls (they can make ``exe.txt`` read as ``txt.exe``): refused.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: What free text may not hold: the control characters (Unicode category Cc: C0, DEL and C1) and the
#: bidirectional controls; a tab and line breaks are allowed where the field is multi-line.
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(_BIDI)) + "]")
_REFUSED_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(_BIDI)) + "]")
#: Every character the steps of :func:`clean_text` act on (removed, refused, or a line break made
#: ``\n``): text without any of them passes those steps unchanged.
_SPECIAL = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(_BIDI | set(map(chr, _INVISIBLE)))) + "]")


def clean_text(
    value: object,
    *,
    max_length: int | None = None,
    multiline: bool = False,
    required: bool = False,
) -> str:
    """Free text as a person typed it, made safe to store and to write into a spreadsheet.

    Zero-width characters and soft hyphens are removed; control characters (C0 and C1, except a
    tab and line breaks where ``multiline``) and bidirectional controls are refused; the result is
    trimmed and NFC-normalised; a value longer than ``max_length`` is refused, never cut.
    Raises :class:`ValidationError` (codes ``invalid_characters``, ``too_long``, ``required``).
    """
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    if _SPECIAL.search(text) is not None:  # most text has none of these: one search instead of the steps
        text = text.translate(_INVISIBLE)
        if multiline:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if (_REFUSED_MULTILINE if multiline else _REFUSED).search(text):
            raise _fail(_("Remove the control or invisible characters from the text."), "invalid_characters")
    text = text.strip()
    if required and not text:
        raise _fail(_("This field is required."), "required")
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            _("Shorten this to at most %(limit)d characters (it has %(length)d)."),
            code="too_long",
            params={"limit": max_length, "length": len(text)},
        )
    return text
