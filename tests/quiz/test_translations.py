"""The quiz's own Simplified Chinese catalogue: complete, placeholders kept, compiled, used."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.utils import translation

from ..core.test_translations import HAN, PLACEHOLDER, parse_po

LOCALE = Path(__file__).resolve().parents[2] / "competitions" / "quiz" / "locale" / "zh_Hans" / "LC_MESSAGES"


@pytest.fixture(scope="module")
def entries():
    return [e for e in parse_po(LOCALE / "django.po") if e.msgid]


def test_every_entry_is_translated_into_chinese_with_its_placeholders(entries):
    for entry in entries:
        assert "fuzzy" not in entry.flags, entry.msgid
        text = entry.msgstr.get(0, "")
        assert text and HAN.search(text), entry.msgid
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid


def test_the_compiled_catalogue_matches(entries):
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in entries:
        if entry.msgid_plural is None:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], entry.msgid


def test_a_service_error_of_the_quiz_is_chinese():
    from competitions.quiz.services import clean_question
    from union_portal.core.errors import ApplicationError

    with translation.override("zh-hans"), pytest.raises(ApplicationError) as error:
        clean_question({"topic": "union", "kind": "single", "text": "题", "options": ["甲"], "answer": [0]})
    assert str(error.value) == "请填写2至6个选项。"
