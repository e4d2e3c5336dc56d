"""A partner's own webhook subscriptions through the API (``/api/v1/webhooks/subscriptions/``).

Only with an API key, and only the subscriptions of that key: a partner lists them, subscribes an
endpoint (the signing secret is in the answer, once), changes one, disables or enables it
(``is_active``) and rotates its secret (``rotate_secret: true``; the new one is in the answer, once).
Nothing is deleted. Reading needs the scope ``webhooks:read``, everything else ``webhooks:write``
(the area of this module, ``union_portal.api.scopes``); the rules are the services'
(``key_subscription_create``, ``key_subscription_update``): https, a public address, events the key
may receive, at most ``SUBSCRIPTIONS_PER_KEY`` per key.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from union_portal.api.fields import StrictBooleanField, TextField
from union_portal.api.models import APIKey

from .events import declared_events
from .models import Subscription
from .services import URL_MAX, key_subscription_create, key_subscription_update


def _event_names() -> list[str]:
    return sorted(declared_events())


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)
    events = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class SubscriptionSecretSerializer(SubscriptionSerializer):
    secret = serializers.CharField(
        source="shown_secret",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy(
            "The signing secret (whsec_…), only in the answer that made it (a new subscription, or "
            "rotate_secret): keep it, it is not shown again. null otherwise."
        ),
    )


class SubscriptionCreateSerializer(serializers.Serializer):
    name = TextField(required=False, allow_blank=True, max_length=100, default="")
    url = TextField(max_length=URL_MAX, help_text=gettext_lazy("https:// address of your endpoint"))
    events = serializers.ListField(child=serializers.ChoiceField(choices=[]), min_length=1, max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].child.choices = _event_names()


class SubscriptionUpdateSerializer(serializers.Serializer):
    name = TextField(required=False, allow_blank=True, max_length=100)
    url = TextField(required=False, max_length=URL_MAX)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=[]), required=False, min_length=1, max_length=50
    )
    is_active = StrictBooleanField(required=False, help_text=gettext_lazy("false disables the subscription"))
    rotate_secret = StrictBooleanField(
        required=False, default=False, help_text=gettext_lazy("true: a new signing secret, in the answer")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].child.choices = _event_names()


class WithAPIKey(BasePermission):
    """Subscriptions belong to a key: managed with that key only (not from a browser session)."""

    message = gettext_lazy("Manage webhook subscriptions with your API key.")

    def has_permission(self, request, view):
        return isinstance(request.auth, APIKey)


def _key(request) -> APIKey | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, APIKey) else None


@extend_schema_view(
    list=extend_schema(summary="Your key's webhook subscriptions"),
    retrieve=extend_schema(summary="One of your key's webhook subscriptions"),
)
# what the services answer (check_url, check_events, the name's text rules, the per-key limit)
@extend_validation_errors(
    ["url_scheme", "too_long", "invalid", "private_host"],
    field_name="url",
    actions=["create", "partial_update"],
)
@extend_validation_errors(
    ["required", "unknown_event", "scope"], field_name="events", actions=["create", "partial_update"]
)
@extend_validation_errors(
    ["invalid", "too_long", "invalid_characters", "required"],
    field_name="name",
    actions=["create", "partial_update"],
)
@extend_validation_errors(["too_many"], field_name="non_field_errors", actions=["create"])
class SubscriptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [WithAPIKey]
    serializer_class = SubscriptionSerializer
    filter_backends = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        key = _key(self.request)
        if key is None:
            return Subscription.objects.none()
        return Subscription.objects.filter(key=key).order_by("pk")

    @extend_schema(
        summary="Subscribe an endpoint of yours to events",
        description=(
            "The events your key may receive (its scopes and its service user), at an https address. "
            "The answer holds the signing secret, once."
        ),
        request=SubscriptionCreateSerializer,
        responses={201: SubscriptionSecretSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = SubscriptionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription, secret = key_subscription_create(key=_key(request), **data.validated_data)
        return Response(SubscriptionSecretSerializer(_with_secret(subscription, secret)).data, status=201)

    @extend_schema(
        summary="Change, disable, enable or re-key one of your subscriptions",
        description=(
            "Only what is given changes. `is_active: false` disables it (nothing is sent to it; nothing "
            "is deleted), `true` enables it again; `rotate_secret: true` makes a new signing secret, "
            "in the answer once: the old one stops signing at once."
        ),
        request=SubscriptionUpdateSerializer,
        responses={200: SubscriptionSecretSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        subscription = self.get_object()
        data = SubscriptionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription, secret = key_subscription_update(
            key=_key(request), subscription=subscription, **data.validated_data
        )
        return Response(SubscriptionSecretSerializer(_with_secret(subscription, secret)).data)


def _with_secret(subscription: Subscription, secret: str | None) -> Subscription:
    subscription.shown_secret = secret
    return subscription


ROUTES = [("webhooks/subscriptions", SubscriptionViewSet, "webhook-subscription")]
