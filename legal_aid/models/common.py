"""What the models of legal aid share: money, topics, the owner rule for lawyers."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from union_portal.core.scoping import ScopedQuerySet

ZERO = Decimal("0.00")
MONEY = {"max_digits": 12, "decimal_places": 2}


class Topic(models.TextChoices):
    """What a consultation is about, and a lawyer's specialties."""

    WAGES = "wages", _("Unpaid wages")
    CONTRACT = "contract", _("Labour contract")
    INJURY = "injury", _("Work injury")
    INSURANCE = "insurance", _("Social insurance")
    DISMISSAL = "dismissal", _("Dismissal")
    FAMILY = "family", _("Family matters")
    OTHER = "other", _("Other")


class OwnedByPeopleQuerySet(ScopedQuerySet):
    """Rows that belong to several people at once (the member concerned and the lawyer on it):
    ``scope_owner_lookups`` lists the paths to each user who sees the row as their own."""

    scope_owner_lookups: tuple[str, ...] = ()

    def owner_q(self, user) -> Q | None:
        if not self.scope_owner_lookups:
            return None
        q = Q(pk__in=[])
        for lookup in self.scope_owner_lookups:
            q |= Q(**{lookup: user})
        return q
