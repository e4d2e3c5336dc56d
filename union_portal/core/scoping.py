"""The one scoping rule: who sees which rows.

A staff user (and a proxy agent) is attached to one node of the organisation
tree and sees the rows that belong to that node's subtree; a superuser sees
everything; everyone else sees only their own records. Each scoped model's
queryset says *how* its rows belong to the tree (``scope_org_lookups``, paths
to an :class:`~union_portal.organisations.models.Organisation`) and to a person
(``scope_owner_lookup``, a path to a user). Admin, API, portal and reports all
call :meth:`ScopedQuerySet.visible_to`, so a scope fix happens once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


def user_scope_path(user) -> str | None:
    """The materialised path of the user's organisation node, or None."""
    org = getattr(user, "organisation", None)
    return org.path if org is not None else None


def sees_everything(user) -> bool:
    return bool(user and user.is_active and user.is_superuser)


class ScopedQuerySet(models.QuerySet):
    #: Paths from this model to Organisation; "" means the model is the Organisation.
    scope_org_lookups: tuple[str, ...] = ()
    #: Path from this model to the user who owns the row (a member's own records).
    scope_owner_lookup: str | None = None
    #: Path from this model to the user who filed the row for someone else. A user who only files for
    #: others (a proxy agent who is not staff) sees, of their area, just the rows they filed: the same
    #: view in the portal, the API and everywhere else (issue 18.4).
    scope_filer_lookup: str | None = None

    def org_q(self, path: str) -> Q:
        q = Q()
        for lookup in self.scope_org_lookups:
            field = f"{lookup}__path__startswith" if lookup else "path__startswith"
            q |= Q(**{field: path})
        return q

    def owner_q(self, user) -> Q | None:
        if self.scope_owner_lookup is None:
            return None
        return Q(**{self.scope_owner_lookup: user})

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self
        q = Q(pk__in=[])
        path = user_scope_path(user)
        if path and self.scope_org_lookups and user.has_org_scope:
            area = self.org_q(path)
            if self.scope_filer_lookup and user.files_for_others_only:
                area &= Q(**{self.scope_filer_lookup: user})
            q |= area
        owner = self.owner_q(user)
        if owner is not None:
            q |= owner
        return self.filter(q)

    def in_area_of(self, user):
        """Every row of the user's area, what they filed or not: ONLY for acting on one record the user
        names exactly (a proxy agent filing aid for a worker by their full ID number), never for lists
        or reading (those use :meth:`visible_to`)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_everything(user):
            return self
        path = user_scope_path(user)
        if not (path and self.scope_org_lookups and user.has_org_scope):
            return self.none()
        return self.filter(self.org_q(path))
