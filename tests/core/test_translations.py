"""The Simplified Chinese catalogue: complete, consistent with its compiled file, and used by default."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from members.models import MemberStatus
from union_portal import settings as project_settings
from union_portal.core.validators import parse_id_number

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|%%")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    body = text[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body)


def parse_po(path: Path) -> list[Entry]:
    """A small parser for the .po format as GNU gettext writes it: entries separated by blank lines."""
    entries: list[Entry] = []
    number = 0
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, target = Entry(line=number + 1), None
        for offset, raw in enumerate(block.strip("\n").splitlines()):
            line = raw.strip()
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):  # comments, references and obsolete (#~) entries
                continue
            elif line.startswith('"'):
                assert target is not None, f"{path}:{entry.line + offset}: a string without a keyword"
                target(_unquote(line))
            else:
                keyword, _, rest = line.partition(" ")
                target = _setter(entry, keyword, f"{path}:{entry.line + offset}")
                target(_unquote(rest.strip()))
        number += block.count("\n") + 2
        if target is not None:
            entries.append(entry)
    return entries


def _setter(entry: Entry, keyword: str, where: str):
    if keyword in ("msgctxt", "msgid", "msgid_plural"):
        setattr(entry, keyword, "")
        return lambda text: setattr(entry, keyword, getattr(entry, keyword) + text)
    match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
    assert match, f"{where}: unexpected keyword {keyword!r}"
    index = int(match.group(1) or 0)
    entry.msgstr[index] = ""
    return lambda text: entry.msgstr.__setitem__(index, entry.msgstr[index] + text)


@pytest.fixture(autouse=True)
def _project_default_language(settings):
    """tests/conftest.py reads messages in English; here the project's own default applies, as in production."""
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE
    previous = translation.get_language()
    translation.deactivate()  # no active language: requests and tasks fall back to LANGUAGE_CODE
    yield
    translation.activate(previous)


@pytest.fixture(scope="module")
def catalogue() -> tuple[Entry, list[Entry]]:
    header, *entries = parse_po(PO_FILE)
    assert header.msgid == ""
    return header, entries


def test_the_header_declares_chinese_with_one_plural_form(catalogue):
    header, _ = catalogue
    assert "Language: zh_Hans\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstr[0]
    assert "fuzzy" not in header.flags


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    _, entries = catalogue
    assert len(entries) > 500  # the parser really read the catalogue
    untranslated = [e.key for e in entries if not all(e.msgstr.values()) or not e.msgstr]
    fuzzy = [e.key for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_plural_entries_have_exactly_one_form(catalogue):
    _, entries = catalogue
    plurals = [e for e in entries if e.msgid_plural is not None]
    assert plurals  # the templates use {% blocktranslate count %}
    assert [e.key for e in plurals if sorted(e.msgstr) != [0]] == []


def test_translations_keep_every_placeholder(catalogue):
    _, entries = catalogue
    wrong = []
    for entry in entries:
        if "python-format" not in entry.flags:
            continue
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr.values():
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                wrong.append((entry.msgid, text))
    assert wrong == []


def test_translations_are_chinese(catalogue):
    _, entries = catalogue
    # Technical words may stay as they are (SMS is 短信, but an acronym alone would be fine too).
    latin_only = [e.key for e in entries for text in e.msgstr.values() if not HAN.search(text)]
    assert latin_only == []


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    _, entries = catalogue
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    stale = []
    for entry in entries:
        if entry.msgid_plural is None:
            if compiled.get(entry.key) != entry.msgstr[0]:
                stale.append(entry.key)
        elif compiled.get((entry.key, 0)) != entry.msgstr[0]:
            stale.append(entry.key)
    assert stale == [], "run: uv run python manage.py compilemessages -l zh_Hans --ignore=.venv"
    assert len(compiled) == len(entries) + 1  # and the header


def test_the_default_language_is_simplified_chinese(client):
    response = client.get("/portal/login/")

    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    assert "登录" in content
    assert "请使用手机号码（或用户名）和密码登录。" in content
    assert "Log in" not in content


def test_accept_language_en_gives_the_english_page(client):
    response = client.get("/portal/login/", headers={"accept-language": "en"})

    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Use your mobile number (or user name) and your password." in content
    assert "登录" not in content


def test_the_language_cookie_switches_to_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    content = client.get("/portal/login/").content.decode()

    assert "Log in" in content
    assert "登录" not in content


@pytest.mark.django_db
def test_the_admin_login_is_chinese_by_default_and_english_on_request(client):
    chinese = client.get("/admin/login/").content.decode()
    english = client.get("/admin/login/", headers={"accept-language": "en"}).content.decode()

    assert "登录" in chinese
    assert "Log in" in english
    assert "登录" not in english


@pytest.mark.django_db
def test_a_form_error_on_a_real_page_is_chinese(client):
    response = client.post("/portal/login/", {"username": "nobody", "password": "wrong-password"})

    assert response.status_code == 200
    assert "用户名、手机号码或密码错误。请注意密码区分大小写。" in response.content.decode()


def test_a_service_error_is_chinese_by_default():
    with pytest.raises(ValidationError) as caught:
        parse_id_number("123")

    message = str(caught.value.messages[0])
    with translation.override("zh-hans"):
        chinese = str(caught.value.messages[0])
    with translation.override("en"):
        english = str(caught.value.messages[0])

    assert project_settings.LANGUAGE_CODE == "zh-hans"
    assert message == chinese == "身份证号码应为 18 位（旧身份证为 15 位数字）。"
    assert english == "A resident ID number has 18 characters (or 15 digits on old cards)."


def test_a_withdrawn_membership_and_a_withdrawn_application_read_differently():
    from assistance.models import State

    with translation.override("zh-hans"):
        assert str(MemberStatus.WITHDRAWN.label) == "已退会"
        assert str(State.WITHDRAWN.label) == "已撤回"
