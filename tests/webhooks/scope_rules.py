"""Scope-walk rules of the webhooks: subscriptions and the delivery log are superuser tooling in the admin;
in the API a key sees its own subscriptions only, so the victim is a subscription of town B's partner key."""

from __future__ import annotations


def _other_keys_subscription(world):
    from tests.accounts.factories import make_user
    from union_portal.accounts.roles import Role
    from union_portal.api.models import APIKey
    from union_portal.webhooks.models import Subscription

    subscription = getattr(world, "_webhook_victim", None)
    if subscription is None:
        key, _secret = APIKey.issue(name="外镇合作方", user=make_user(Role.PARTNER, world.tree.town_b))
        subscription = Subscription.objects.create(
            name="外镇合作方的端点", key=key, url="https://b.example.org/hook", events=["membership.approved"],
            secret="whsec_victim",
        )  # fmt: skip
        world._webhook_victim = subscription
    return subscription


def register(rules) -> None:
    from union_portal.webhooks.models import Attempt, Delivery, Subscription

    rules.UNSCOPED_ADMIN_MODELS |= {Subscription, Delivery, Attempt}
    for name in ("v1:webhook-subscription-list", "v1:webhook-subscription-detail"):
        rules.COMMAND_VICTIMS[name] = _other_keys_subscription
