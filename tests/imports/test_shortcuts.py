"""The shortcuts that make an imported row cheaper (issue 9 item 18) keep the rules they shorten."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from pypinyin import Style, lazy_pinyin

from members.pinyin import _readings
from union_portal.core import validators


def _parsed(raw: str, monkeypatch) -> str | None:
    with monkeypatch.context() as patch:
        patch.setattr(validators, "_MOBILE", re.compile(r"(?!)"))  # no shortcut: phonenumbers parses
        try:
            return validators.normalize_mobile(raw)
        except ValidationError:
            return None


def test_a_mobile_taken_without_parsing_is_one_phonenumbers_accepts(monkeypatch):
    rng = random.Random(9)
    taken = 0
    for _ in range(20_000):
        raw = "1" + "".join(rng.choice("0123456789") for _digit in range(10))
        if validators._MOBILE.fullmatch(raw):
            taken += 1
            assert _parsed(raw, monkeypatch) == raw
        else:
            assert validators.normalize_mobile(raw) if _parsed(raw, monkeypatch) else True
    assert taken > 5_000


@pytest.mark.parametrize("raw", ["+86 138 0013 8000", "138-0013-8000", "１３８００１３８０００"])
def test_other_spellings_of_a_mobile_are_still_parsed(raw):
    assert not validators._MOBILE.fullmatch(raw)
    assert validators.normalize_mobile(raw) == "13800138000"


def test_free_text_refuses_exactly_the_control_and_bidirectional_characters():
    control = {chr(i) for i in range(0x110000) if unicodedata.category(chr(i)) == "Cc"}
    refused = {chr(i) for i in range(0x110000) if validators._REFUSED.search(chr(i))}
    assert refused == control | validators._BIDI
    refused = {chr(i) for i in range(0x110000) if validators._REFUSED_MULTILINE.search(chr(i))}
    assert refused == (control | validators._BIDI) - {"\t", "\n"}


def test_names_are_read_once_with_the_same_initials_pypinyin_gives():
    rng = random.Random(3)
    han = [chr(i) for i in range(0x4E00, 0x9FA6)]
    for _ in range(3_000):
        name = "".join(rng.choice(han) for _char in range(rng.randint(2, 4)))
        assert _readings(name) == (lazy_pinyin(name), lazy_pinyin(name, style=Style.FIRST_LETTER))
    for name in ("阿卜杜·热合曼", "Tom李", "王2"):  # not only Chinese characters: read in both styles
        assert _readings(name) == (lazy_pinyin(name), lazy_pinyin(name, style=Style.FIRST_LETTER))
