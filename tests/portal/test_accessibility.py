"""Accessibility of the portal's forms in the HTML the server sends (issue 9.16); the browser test
with axe-core is tests/e2e/test_portal_accessibility.py."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from ..members.factories import next_id_number, wrong_check_digit

EN = {"accept-language": "en"}


def ids_of(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def described_by(html: str) -> list[str]:
    return [i for value in re.findall(r'aria-describedby="([^"]+)"', html) for i in value.split()]


def autofocused(html: str) -> list[str]:
    """The tags that carry ``autofocus``, as written."""
    return re.findall(r"<[^>]*\sautofocus[\s>][^>]*>?", html)


def test_every_aria_describedby_of_a_failed_application_points_at_an_element(client, tree):
    data = {
        "name": "",
        "id_number": wrong_check_digit(next_id_number()),
        "mobile": "12345",
        "union": tree.union_a.pk,
        "household_type": "local",
        "password1": "short",
        "password2": "other",
        "submission": secrets.token_urlsafe(16),
    }

    html = client.post(reverse("portal:apply"), data, headers=EN).content.decode()

    referenced = described_by(html)
    assert {"id_name_error", "id_id_number_error", "id_mobile_error"} <= set(referenced)
    assert [i for i in referenced if i not in ids_of(html)] == []


def test_the_first_invalid_field_takes_the_focus(client, tree):
    data = {
        "name": "陈嘉欣",
        "id_number": "not a number",
        "mobile": "12345",
        "union": tree.union_a.pk,
        "household_type": "local",
        "password1": "Gonghui-2026-safe",
        "password2": "Gonghui-2026-safe",
        "submission": secrets.token_urlsafe(16),
    }

    html = client.post(reverse("portal:apply"), data, headers=EN).content.decode()

    focused = autofocused(html)
    assert len(focused) == 1
    assert 'id="id_id_number"' in focused[0]
    assert 'aria-invalid="true"' in focused[0]


def test_a_form_wide_error_focuses_the_summary(client, people):
    html = client.post(
        reverse("portal:login"), {"username": "nobody", "password": "wrong-password"}, headers=EN
    ).content.decode()

    focused = autofocused(html)
    assert len(focused) == 1
    assert 'class="form-errors"' in focused[0] and 'role="alert"' in focused[0]


def test_an_untouched_form_takes_no_focus(client, tree):
    assert autofocused(client.get(reverse("portal:apply"), headers=EN).content.decode()) == []


def _contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_muted_text_of_the_footer_and_the_help_reads_at_4_5_to_1_on_every_ground():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    footer = re.search(r"\.site-footer \{[^}]*color: var\(--([\w-]+)\)", css).group(1)

    assert footer == "muted"
    for ground in ("ground", "paper", "red-soft", "amber-soft", "blue-soft", "green-soft"):
        assert _contrast(colours["muted"], colours[ground]) >= 4.5, ground
