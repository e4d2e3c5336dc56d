"""What a partner key may do: ``<area>:read`` for safe methods, ``<area>:write`` for the others.

The area of a view is its ``key_scope`` attribute, or else the app its module belongs to
(``members.api`` -> ``members``, ``union_portal.certificates.api`` -> ``certificates``), so a new
app's endpoints get scopes of their own without a line here. Checked for every view when the key is
authenticated (views that set their own permission classes cannot forget it).
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS


def view_area(view_class) -> str:
    declared = getattr(view_class, "key_scope", None)
    if declared:
        return declared
    parts = view_class.__module__.split(".")
    return parts[1] if parts[0] == "union_portal" and len(parts) > 1 else parts[0]


def required_scope(view, method: str) -> str:
    return f"{view_area(type(view))}:{'read' if method in SAFE_METHODS else 'write'}"


def known_scopes() -> list[str]:
    """Every scope some endpoint of the API asks for, for the admin's choices."""
    from django.urls import URLPattern, URLResolver

    from .urls import urlpatterns

    areas: set[str] = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "cls", None) or getattr(
                    pattern.callback, "view_class", None
                )
                if (
                    view_class is not None
                    and getattr(view_class, "scoped", True)
                    and view_class.__module__.split(".")[0] not in {"rest_framework", "drf_spectacular"}
                ):
                    areas.add(view_area(view_class))

    walk(urlpatterns)
    return sorted(f"{area}:{access}" for area in areas for access in ("read", "write"))
