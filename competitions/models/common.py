"""What contests and honours share: scoping through the organisation tree."""

from __future__ import annotations

from django.db.models import Q

from union_portal.core.scoping import ScopedQuerySet
from union_portal.organisations.models import Organisation


class FederationRunQuerySet(ScopedQuerySet):
    """Rows run by a federation (a contest, a title, a nomination round) concern everyone below it:
    staff see those of their node's ancestors and of its subtree, never a sibling town's."""

    scope_org_lookups = ("organisation",)

    def org_q(self, path: str) -> Q:
        steplen = Organisation.steplen
        ancestors = [path[:i] for i in range(steplen, len(path) + 1, steplen)]
        return Q(organisation__path__in=ancestors) | Q(organisation__path__startswith=path)
