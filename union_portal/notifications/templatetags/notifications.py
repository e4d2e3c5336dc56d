from django import template

from ..selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """How many unread messages the logged-in user has (counted once per request)."""
    request = context.get("request")
    if request is None:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = unread_count(user=request.user)
    return request._unread_notifications
