"""Form rendering helpers of the portal pages (``{% load portal_forms %}`` in ``portal/_form_fields.html``).

After a failed submit the browser's focus goes to the first error, so that a screen reader reads it
and a phone scrolls to it: the ``autofocus`` attribute, no script needed (the pages run under a
strict CSP). Django points an invalid input's ``aria-describedby`` at ``<id>_error``; the include
renders the errors under that id.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def summary_errors(form) -> list[str]:
    """Errors shown above the fields: the form's own, and those of hidden fields (with their label)."""
    messages = [str(error) for error in form.non_field_errors()]
    for field in form.hidden_fields():
        messages += [f"{field.label}: {error}" for error in field.errors]
    return messages


@register.filter
def first_invalid_field(form) -> str:
    """The name of the first visible field with an error ("" when there is none, or when there is a
    summary above the fields: it takes the focus then).

    A form with errors loses the ``autofocus`` its widgets may have of their own (the login form's
    user name), so that the focus goes to the error and nowhere else.
    """
    if not form.is_bound or not form.errors:
        return ""
    for field in form.fields.values():
        field.widget.attrs.pop("autofocus", None)
    if summary_errors(form):
        return ""
    return next((field.name for field in form.visible_fields() if field.errors), "")


@register.filter
def with_autofocus(bound_field):
    """The field's widget with ``autofocus`` (and Django's own aria attributes)."""
    return bound_field.as_widget(attrs={"autofocus": True})
