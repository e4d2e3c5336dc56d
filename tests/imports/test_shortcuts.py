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


def test_text_without_any_character_the_steps_act_on_is_left_as_it_is():
    control = {chr(i) for i in range(0x110000) if unicodedata.category(chr(i)) == "Cc"}
    special = {chr(i) for i in range(0x110000) if validators._SPECIAL.search(chr(i))}
    assert special == control | validators._BIDI | set(map(chr, validators._INVISIBLE))


@pytest.mark.parametrize(
    "text", ["a\u200bb", " 陈\u00ad伟 ", "x\ty", "x\r\ny", "\u202e=1+1", "\x85x", "plain 文本"]
)
@pytest.mark.parametrize("multiline", [False, True])
def test_clean_text_gives_what_each_of_its_steps_gives(text, multiline):
    def slow(value):  # the steps, one after the other, whatever the text holds
        value = unicodedata.normalize("NFC", value).translate(validators._INVISIBLE)
        if multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if (validators._REFUSED_MULTILINE if multiline else validators._REFUSED).search(value):
            return "refused"
        return value.strip()

    try:
        got = validators.clean_text(text, multiline=multiline)
    except ValidationError:
        got = "refused"
    assert got == slow(text)


@pytest.mark.parametrize(
    "name", ["重庆", "长江大桥", "单于长乐", "银行行长", "曾重阳", "Tom李乐乐", "覃 长 生"]
)
def test_names_read_word_by_word_give_what_pypinyin_gives(name):
    from members.pinyin import _syllables

    assert _syllables(name) == lazy_pinyin(name)
    assert _syllables(name) == lazy_pinyin(name)  # and again, from the cache


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Asia/Shanghai", "Etc/GMT+12"])
def test_a_birth_date_after_today_is_refused_in_every_time_zone(settings, zone):
    import datetime as dt

    from django.utils import timezone

    settings.TIME_ZONE = zone
    today = timezone.localdate()
    for day, accepted in (
        (today - dt.timedelta(days=3), True),
        (today, True),
        (today + dt.timedelta(days=1), False),
    ):
        body = "440607" + day.strftime("%Y%m%d") + "123"
        number = body + validators.id_check_digit(body)
        if accepted:
            assert validators.parse_id_number(number).birth_date == day
        else:
            with pytest.raises(ValidationError):
                validators.parse_id_number(number)
        with pytest.raises(ValidationError):  # the day given by the caller is the one checked
            validators.parse_id_number(number, today=day - dt.timedelta(days=1))
