"""The columns of an import file: what each holds and how a cell becomes a value.

A resource declares its columns with :class:`Column`; the pipeline converts every cell of a row
before the resource sees it, and a cell that cannot be converted is an error of that row and that
column, with a message saying how to fix it. The kinds:

``text``
    Free text through :func:`~union_portal.core.validators.clean_text` (control and invisible
    characters refused; longer than ``max_length`` refused, never cut).
``identifier``
    ID numbers, mobiles, card numbers, credit codes, bank accounts. Excel keeps 15 significant
    digits of a number: an 18-digit ID number typed as a number is already another number, and
    some of those pass the check digit. A number cell is accepted only when it is exact (a whole
    number of at most 15 digits: an 11-digit mobile is, an 18-digit ID number never is); a csv
    cell in scientific notation (``4.40607E+17``) is refused. The message says to format the
    column as text.
``date``
    A date cell, or text such as 2024-03-01, 2024/3/1, 2024年3月1日, 20240301.
``choice`` / ``choices``
    One (or several, separated by 、 , ; or spaces) of a ``TextChoices``: its code, its label in
    every language of the interface (Chinese and English), or an extra spreadsheet word.
``bool``
    是/否, yes/no, y/n, true/false, 1/0, √/×.
``int`` / ``decimal``
    Whole numbers, and amounts in yuan (``2,100.50``, ``¥2100``, ``2100元``).

Headers are the file format staff fill in: Chinese whatever the interface language, and not translated.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from union_portal.core.validators import clean_text

KINDS = ("text", "identifier", "date", "choice", "choices", "bool", "int", "decimal")
YES_NO = {
    "是": True, "否": False, "y": True, "n": False, "yes": True, "no": False, "true": True, "false": False,
    "1": True, "0": False, "√": True, "×": False, "x": False, "有": True, "无": False,
}  # fmt: skip
_SCIENTIFIC = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_SEPARATORS = re.compile(r"[、,，;；\s]+")
_MONEY_NOISE = re.compile(r"[,，\s¥￥元]|^RMB", re.IGNORECASE)
#: Exactness of a number cell: a double holds every whole number below 10^15 exactly, and Excel 15 digits.
EXACT_LIMIT = 10**15


class CellError(ValueError):
    """A cell that cannot be converted; the message says how to fix it."""


_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)  # the words of a choice column repeat on every row
def normalise_word(text: str) -> str:
    """A choice word as compared: full-width folded (NFKC), no spaces, lower case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class Column:
    """One column of an import file.

    ``header`` is the Chinese header as staff write it; ``field`` the key under which the converted
    value reaches the resource (None: accepted and ignored, like the derived columns of an export);
    ``required`` means the header must be in the file (whether a cell may be empty is the
    resource's rule, or the service's). ``choices`` is a ``TextChoices`` (kinds ``choice`` and
    ``choices``), ``words`` extra spreadsheet words for its codes, ``labels`` the words an export
    writes (accepted too, and listed first in the template). ``error`` replaces the generic message
    of a cell that cannot be converted. ``example`` fills the template's example row; ``help`` is
    shown on the template's sheet of allowed values.
    """

    header: str
    field: str | None = None
    kind: str = "text"
    required: bool = False
    max_length: int | None = None
    multiline: bool = False
    choices: type | None = None
    words: dict = dataclass_field(default_factory=dict)
    labels: dict = dataclass_field(default_factory=dict)
    error: object = None
    example: str = ""
    help: object = ""
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.header}: unknown kind {self.kind!r}")
        if self.kind in ("choice", "choices") and self.choices is None and not self.words:
            raise ValueError(f"column {self.header}: a choice column needs choices or words")

    # -- choices --------------------------------------------------------------------------------------

    @cached_property
    def word_map(self) -> dict[str, str]:
        """Every accepted word (normalised) -> code: codes, labels in every interface language, the
        export's labels, the extra words. A word meaning two codes is a mistake of the declaration."""
        words: dict[str, str] = {}

        def add(word, code):
            key = normalise_word(str(word))
            if key and words.setdefault(key, code) != code:
                raise ValueError(f"column {self.header}: “{word}” means both {words[key]} and {code}")

        if self.choices is not None:
            for code, label in self.choices.choices:
                add(code, code)
                for language, _name in settings.LANGUAGES:
                    with translation.override(language):
                        add(str(label), code)
        for code, word in self.labels.items():
            add(word, code)
        for word, code in self.words.items():
            add(word, code)
        return words

    def allowed_labels(self) -> list[str]:
        """The words to offer (template, drop-down lists, messages): the Chinese labels the interface
        shows, then the words the export writes where they differ (both are accepted)."""
        if self.kind == "bool":
            return ["是", "否"]
        words: list[str] = []
        if self.choices is not None:
            with translation.override("zh-hans"):
                words += [str(label) for code, label in self.choices.choices if code]
        words += [str(w) for w in self.labels.values() if w]
        if self.choices is None and not self.labels:
            words += list(self.words)
        return list(dict.fromkeys(words))

    def label_of(self, code) -> str:
        """The Chinese label the interface shows for ``code`` (the preview shows rows as stored)."""
        if self.choices is None or code in (None, ""):
            return str(self.labels.get(code, "") or "") if code not in (None, "") else ""
        with translation.override("zh-hans"):
            return str(dict(self.choices.choices).get(code, code))

    def allowed_english(self) -> list[str]:
        if self.choices is None:
            return []
        with translation.override("en"):
            return [str(label) for code, label in self.choices.choices if code]

    # -- conversion -----------------------------------------------------------------------------------

    def convert(self, value):
        """The cell as the resource wants it; raises :class:`CellError`. Empty cells give "" (text
        kinds), None (date, choice, numbers) or [] (``choices``)."""
        return self.converter(value)

    @cached_property
    def converter(self):
        """:meth:`convert` of this column's kind, looked up once."""
        return getattr(self, f"_to_{self.kind}")

    def _fail(self, message) -> CellError:
        return CellError(str(self.error) if self.error else str(message))

    def _to_text(self, value):
        if value is None:
            return ""
        if isinstance(value, str):
            try:
                return clean_text(value, max_length=self.max_length, multiline=self.multiline)
            except ValidationError as exc:
                raise CellError(" ".join(exc.messages)) from None
        return cell_text(value)

    def _to_identifier(self, value):
        if value is None:
            return ""
        if isinstance(value, bool):
            raise self._not_text()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            if 0 <= value < EXACT_LIMIT:
                return str(value)
            raise self._not_text()
        if isinstance(value, (float, dt.date)):
            raise self._not_text()
        text = str(value).strip()
        if ("e" in text or "E" in text) and _SCIENTIFIC.match(text):  # no exponent, no regex to run
            raise self._not_text()
        try:
            return clean_text(text, max_length=self.max_length or 100)
        except ValidationError as exc:
            raise CellError(" ".join(exc.messages)) from None

    def _not_text(self) -> CellError:
        return CellError(
            _(
                "This cell holds a number, and Excel keeps only 15 digits of a number: the value may "
                "already be another number. Format the column “%(column)s” as text, type the values "
                "again and upload the file again."
            )
            % {"column": self.header}
        )

    def _to_date(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = int(value) if float(value).is_integer() else None
            if number is not None and 19000101 <= number <= 29991231:
                return self._to_date(str(number))
            if 1 <= value < 2958466:
                from .reading import excel_date

                moment = excel_date(value)
                return moment.date() if isinstance(moment, dt.datetime) else moment
            raise self._fail(_("Write the date as 2024-03-01."))
        text = str(value).strip()
        match = _DATE.match(text) or re.match(r"^(\d{4})(\d{2})(\d{2})$", text)
        if match is None:
            raise self._fail(_("Write the date as 2024-03-01."))
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise self._fail(_("This date does not exist.")) from None

    def _word(self, text: str):
        return self.word_map.get(normalise_word(text))

    def _unknown(self, text: str) -> CellError:
        return self._fail(
            _("Unknown value “%(value)s”. Use one of: %(words)s.")
            % {"value": text, "words": "、".join(self.allowed_labels())}
        )

    def _to_choice(self, value):
        text = cell_text(value).strip()
        if not text:
            return None
        code = self._word(text)
        if code is None:
            raise self._unknown(text)
        return code

    def _to_choices(self, value):
        codes = []
        for text in _SEPARATORS.split(cell_text(value)):
            if not text:
                continue
            code = self._word(text)
            if code is None:
                raise self._unknown(text)
            if code not in codes:
                codes.append(code)
        return codes

    def _to_bool(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        word = normalise_word(cell_text(value))
        if word in YES_NO:
            return YES_NO[word]
        raise self._fail(_("Write 是 or 否."))

    def _to_int(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise self._fail(_("Write a whole number."))
        if isinstance(value, (int, float)):
            number = value
        else:
            text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip()
            try:
                number = float(text) if text else None
            except ValueError:
                raise self._fail(_("Write a whole number.")) from None
            if number is None:
                return None
        if not float(number).is_integer():
            raise self._fail(_("Write a whole number."))
        number = int(number)
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise self._fail(
                _("Write a whole number from %(min)s to %(max)s.")
                % {"min": self.minimum, "max": self.maximum}
            )
        return number

    def _to_decimal(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise self._fail(_("Write an amount in yuan, such as 2100 or 2100.50."))
        text = value if isinstance(value, str) else repr(value)
        text = _MONEY_NOISE.sub("", unicodedata.normalize("NFKC", text))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise self._fail(_("Write an amount in yuan, such as 2100 or 2100.50.")) from None
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise self._fail(_("Write an amount in yuan, such as 2100 or 2100.50."))
        minimum = Decimal(0) if self.minimum is None else Decimal(self.minimum)
        if amount < minimum or (self.maximum is not None and amount > Decimal(self.maximum)):
            raise self._fail(_("Write an amount in yuan, such as 2100 or 2100.50."))
        return amount.quantize(Decimal("0.01"))


def cell_text(value) -> str:
    """Any cell as the text a person would read in it (a whole number without ``.0``, a date as ISO)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
