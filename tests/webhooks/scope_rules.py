"""Scope-walk rules of the webhooks: subscriptions and the delivery log are superuser tooling."""

from __future__ import annotations


def register(rules) -> None:
    from union_portal.webhooks.models import Attempt, Delivery, Subscription

    rules.UNSCOPED_ADMIN_MODELS |= {Subscription, Delivery, Attempt}
