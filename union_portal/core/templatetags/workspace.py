"""Template tags of the staff workspace: the dashboard on the admin's first page, figure values."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from union_portal.core import dashboard as board

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard(context):
    """The dashboard of the request's user (see :mod:`union_portal.core.dashboard`)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"scope": None, "cards": [], "charts": [], "queues": []}
    return board.build(request.user)


@register.filter
def figure_value(value, unit: str = "count") -> str:
    """A figure's value as staff read it: 1,234 · ¥1,234.50 · 12.3% · 1,234.5 h; "—" when unknown."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if unit == "rate":
        return f"{number * 100:.1f}%"
    if unit == "money":
        return "¥" + intcomma(f"{number:.2f}")
    if unit == "hours":
        return intcomma(f"{number:.1f}") + " h"
    return intcomma(int(number)) if number == number.to_integral_value() else intcomma(str(number))


@register.filter
def trend_text(card) -> str:
    """The change against last year's same span: "+12.0%" (rates: "+1.5 pt"), "" when there is none."""
    trend = card.trend
    if trend is None:
        return ""
    if card.unit == "rate":
        return f"{trend * 100:+.1f} pt"
    return f"{trend * 100:+.1f}%"
