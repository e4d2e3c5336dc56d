"""The certificates' own Simplified Chinese catalogue is complete and compiled, and the public
check speaks Chinese by default."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.utils import translation

from union_portal import settings as project_settings
from union_portal.certificates import services

from ..core.test_translations import HAN, PLACEHOLDER, parse_po
from .factories import issue

LOCALE = Path(services.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_the_catalogue_is_complete_chinese_and_compiled():
    header, *entries = parse_po(LOCALE / "django.po")
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstr[0]
    assert len(entries) > 50
    assert [e.key for e in entries if not all(e.msgstr.values()) or "fuzzy" in e.flags] == []
    assert [e.key for e in entries for t in e.msgstr.values() if not HAN.search(t)] == []
    assert [
        e.key
        for e in entries
        if "python-format" in e.flags
        for t in e.msgstr.values()
        if sorted(PLACEHOLDER.findall(t)) != sorted(PLACEHOLDER.findall(e.msgid))
    ] == []
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    assert [e.key for e in entries if compiled.get(e.key) != e.msgstr[0]] == []


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE
    translation.deactivate()
    yield
    translation.activate("en")


def test_the_public_check_is_chinese_by_default(client, holder, people, chinese):
    certificate = issue(holder, people.district_staff)

    body = client.get(f"/portal/certificates/verify/{certificate.code}/").content.decode()

    assert "此证书真实有效。" in body and "持证人" in body and "陈*明" in body
    assert "This certificate is valid." not in body
