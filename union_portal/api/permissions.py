"""API permissions: Django model permissions for every method, including reads.

Rows are scoped separately by each viewset's ``get_queryset`` (``visible_to``);
these classes decide what kind of action a user may take at all.
"""

from rest_framework.permissions import DjangoModelPermissions


def offers(view, method: str) -> bool:
    """Whether the view answers ``method`` at all (a viewset has no ``delete`` when nothing is deleted)."""
    method = method.lower()
    return method in view.http_method_names and hasattr(view, method)


class ScopedModelPermissions(DjangoModelPermissions):
    """Model permissions per method. A method the view does not offer passes, so that the caller
    gets the 405 it documents, not a 403 about a permission nobody has (``delete_member``)."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not offers(view, request.method):
            return True
        return super().has_permission(request, view)


class CommandPermissions(DjangoModelPermissions):
    """For a command on one row (``POST .../{id}/approve/``): the caller must be able to view the model.

    The command's own permission (approve, transfer, reveal ...) is checked by the service it calls,
    the one place that rule lives; the row itself is looked up among the rows the caller may see.
    """

    perms_map = {
        method: ["%(app_label)s.view_%(model_name)s"]
        for method in ("GET", "OPTIONS", "HEAD", "POST", "PUT", "PATCH", "DELETE")
    }
