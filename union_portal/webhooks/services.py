"""Webhooks: subscribe a partner key, emit an event, deliver it signed, retry it, replay it.

::

    change committed ──on_commit──> webhook_deliver (Celery) ──2xx──> delivered
            │                              │ other answer, error, timeout
    deliveries written                     v
    in the change's transaction     pending, next attempt after 1, 2, 4 ... minutes (at most
                                    WEBHOOK_BACKOFF_MAX_SECONDS apart), sent again by the sweeper
                                    (webhook_retry_due, every minute) ──after WEBHOOK_RETRY_HOURS──> failed

A delivery is only ever sent by a Celery task, never in the request that caused the event, and
nothing that talks to the network runs inside a transaction: a slow or down endpoint costs the
partner's own deliveries time, never a member's request.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.api.models import APIKey
from union_portal.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from union_portal.core.permissions import require_perm
from union_portal.core.validators import clean_text

from . import signing
from .events import declared_events
from .models import Attempt, Delivery, DeliveryState, Subscription

USER_AGENT = "union-portal-webhooks/1"


# --- subscriptions ---------------------------------------------------------------------------------------


URL_MAX = 500


def check_url(url: str) -> str:
    """An endpoint the portal may post to: https (http only in development), a well-formed address
    of at most :data:`URL_MAX` characters, and not a loopback, private or link-local address."""
    url = (url or "").strip()
    allowed = ("https://", "http://") if settings.WEBHOOK_ALLOW_HTTP else ("https://",)
    if not url.startswith(allowed):
        raise ApplicationError(_("The endpoint must be an https:// address."), code="url_scheme", field="url")
    if len(url) > URL_MAX:
        raise ApplicationError(
            _("Shorten this to at most %(limit)d characters (it has %(length)d).")
            % {"limit": URL_MAX, "length": len(url)},
            code="too_long",
            field="url",
        )
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ApplicationError(_("Enter a valid URL."), code="invalid", field="url") from None
    if not settings.WEBHOOK_ALLOW_PRIVATE_HOSTS and _private_host(urllib.parse.urlsplit(url).hostname or ""):
        raise ApplicationError(
            _("The endpoint must be a public address, not one of a private network."),
            code="private_host",
            field="url",
        )
    return url


def _private_host(host: str) -> bool:
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: its addresses are checked when each delivery is sent (_public_address)
    return not address.is_global


def check_events(key: APIKey, events: Iterable[str]) -> list[str]:
    known = declared_events()
    events = sorted(set(events))
    if not events:
        raise ApplicationError(_("Choose at least one event."), code="required", field="events")
    for name in events:
        if name not in known:
            raise ApplicationError(
                _("Unknown event: %(event)s.") % {"event": name}, code="unknown_event", field="events"
            )
        if not key.allows(known[name].scope) or not key.user.has_perm(known[name].permission):
            raise ApplicationError(
                _("This key may not receive %(event)s: it needs the scope %(scope)s.")
                % {"event": name, "scope": known[name].scope},
                code="scope",
                field="events",
            )
    return events


@transaction.atomic
def subscription_create(
    *, by, key: APIKey, name: str, url: str, events: Iterable[str]
) -> tuple[Subscription, str]:
    """A new subscription and its signing secret, which is shown once (it is stored encrypted)."""
    require_perm(by, "webhooks.add_subscription")
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    subscription = Subscription.objects.create(
        name=name.strip() or key.name,
        key=key,
        url=check_url(url),
        events=check_events(key, events),
        secret=secret,
        created_by=by,
    )
    return subscription, secret


@transaction.atomic
def subscription_update(*, by, subscription: Subscription, url: str, events: Iterable[str], is_active: bool):
    require_perm(by, "webhooks.change_subscription")
    subscription = Subscription.objects.select_for_update(of=("self",)).get(pk=subscription.pk)
    subscription.url = check_url(url)
    subscription.events = check_events(subscription.key, events)
    subscription.is_active = is_active
    subscription.save(update_fields=["url", "events", "is_active"])
    return subscription


# --- a partner's own subscriptions (through the API, with its key) ----------------------------------------

#: The scope a key needs to manage its own subscriptions (``webhooks:read`` to list them).
MANAGE_SCOPE = "webhooks:write"
#: Subscriptions one key may have, active or not: a partner needs a few endpoints, not hundreds.
SUBSCRIPTIONS_PER_KEY = 20


def _require_manage(key: APIKey) -> None:
    if key is None or not key.allows(MANAGE_SCOPE):
        raise PermissionDeniedError(
            _("This API key may not do this: it needs the scope %(scope)s.") % {"scope": MANAGE_SCOPE}
        )


def _subscription_name(name: str, key: APIKey) -> str:
    try:
        return clean_text(name, max_length=100) or key.name
    except ValidationError as error:
        raise ApplicationError(error.messages[0], code=error.code or "invalid", field="name") from None


@transaction.atomic
def key_subscription_create(
    *, key: APIKey, name: str, url: str, events: Iterable[str]
) -> tuple[Subscription, str]:
    """A partner subscribes its own key (``POST /api/v1/webhooks/subscriptions/``): the same checks as
    staff's :func:`subscription_create` (https, known events the key may receive), at most
    :data:`SUBSCRIPTIONS_PER_KEY` per key. The signing secret is returned once; it is stored encrypted."""
    _require_manage(key)
    key = APIKey.objects.select_for_update(of=("self",)).get(pk=key.pk)  # one count at a time per key
    if Subscription.objects.filter(key=key).count() >= SUBSCRIPTIONS_PER_KEY:
        raise ApplicationError(
            _("A key may have at most %(count)d subscriptions: change or disable one.")
            % {"count": SUBSCRIPTIONS_PER_KEY},
            code="too_many",
        )
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    subscription = Subscription.objects.create(
        name=_subscription_name(name, key),
        key=key,
        url=check_url(url),
        events=check_events(key, events),
        secret=secret,
        created_by=key.user,
    )
    return subscription, secret


@transaction.atomic
def key_subscription_update(
    *,
    key: APIKey,
    subscription: Subscription,
    name: str | None = None,
    url: str | None = None,
    events: Iterable[str] | None = None,
    is_active: bool | None = None,
    rotate_secret: bool = False,
) -> tuple[Subscription, str | None]:
    """A partner changes, disables (``is_active: false``), enables or re-keys one of its key's own
    subscriptions; what is not given stays. Returns the subscription and the new secret when
    ``rotate_secret`` (shown once: the old secret stops signing at once), else None."""
    _require_manage(key)
    subscription = Subscription.objects.select_for_update(of=("self",)).get(pk=subscription.pk)
    if subscription.key_id != key.pk:
        raise NotFoundError(_("There is no such subscription."))
    if name is not None:
        subscription.name = _subscription_name(name, key)
    if url is not None:
        subscription.url = check_url(url)
    if events is not None:
        subscription.events = check_events(key, events)
    if is_active is not None:
        subscription.is_active = is_active
    secret = None
    if rotate_secret:
        secret = subscription.secret = f"whsec_{secrets.token_urlsafe(32)}"
    subscription.save(update_fields=["name", "url", "events", "is_active", "secret"])
    return subscription, secret


# --- emitting ----------------------------------------------------------------------------------------------


def _receives(subscription: Subscription, event, paths: list[str]) -> bool:
    key, user = subscription.key, subscription.key.user
    if event.name not in subscription.events or not key.allows(event.scope):
        return False
    if not user.has_perm(event.permission):
        return False
    if user.is_superuser:
        return True
    scope = user.organisation.path if user.organisation_id and user.has_org_scope else None
    return scope is not None and any(path.startswith(scope) for path in paths)


def webhook_emit(event: str, obj) -> int:
    """Record ``event`` about ``obj`` for every subscription that may receive it, and send the deliveries
    once the caller's transaction commits. Call it from the service that made the change, after it.

    Returns how many deliveries were written. One query when nobody subscribes.
    """
    return webhook_emit_each(event, lambda: [obj])


def webhook_emit_each(event: str, objs: Callable[[], Iterable]) -> int:
    """:func:`webhook_emit` for each of many objects changed by one step (a batch of a sync): one
    query for the subscriptions, and ``objs()`` (which may query) called only when someone subscribes.
    Each object is its own event (its own id); the deliveries are written in one statement."""
    spec = declared_events()[event]
    subscriptions = [
        s
        for s in Subscription.objects.usable().select_related("key__user__organisation")
        if event in s.events
    ]
    if not subscriptions:
        return 0
    now = timezone.now()
    deliveries = []
    for obj in objs():
        organisations, data = spec.describe(obj)
        paths = [org.path for org in organisations if org is not None]
        receivers = [s for s in subscriptions if _receives(s, spec, paths)]
        if not receivers:
            continue
        event_id = uuid.uuid4()
        payload = {
            "id": str(event_id),
            "event": event,
            "occurred_at": now.isoformat(),
            "data": data,
        }
        deliveries += [
            Delivery(subscription=s, event=event, event_id=event_id, payload=payload, next_attempt_at=now)
            for s in receivers
        ]
    if not deliveries:
        return 0
    deliveries = Delivery.objects.bulk_create(deliveries)
    _send_on_commit([d.pk for d in deliveries])
    return len(deliveries)


def _send_on_commit(delivery_ids: list[int]) -> None:
    def enqueue():
        from .tasks import webhook_deliver

        for pk in delivery_ids:
            webhook_deliver.delay(pk)

    transaction.on_commit(enqueue)


# --- delivering --------------------------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2x base, 4x base ..., capped."""
    seconds = settings.WEBHOOK_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.WEBHOOK_BACKOFF_MAX_SECONDS))


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: the body is never re-sent elsewhere."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


class PrivateAddressError(OSError):
    """The endpoint's name resolves to a loopback, private or link-local address."""


def _public_address(host: str, port: int) -> str:
    """The address to post to for ``host``: every address its name resolves to must be public
    (a name that points into the internal network is refused, whatever it was when subscribed)."""
    addresses = [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    private = [a for a in addresses if not ipaddress.ip_address(a.split("%")[0]).is_global]
    if private or not addresses:
        raise PrivateAddressError(f"{host} resolves to a private address ({', '.join(private)})")
    return addresses[0]


def _pinned(connection_class, address: str):
    """``connection_class`` that connects to ``address`` (checked) instead of resolving the name again,
    so that a second answer of the name's DNS cannot point it elsewhere; TLS still checks the name."""

    def make(host, **kwargs):
        connection = connection_class(host, **kwargs)
        connection._create_connection = lambda where, *args, **kw: socket.create_connection(
            (address, where[1]), *args, **kw
        )
        return connection

    return make


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(_pinned(http.client.HTTPConnection, self.address), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def https_open(self, req):
        return self.do_open(_pinned(http.client.HTTPSConnection, self.address), req, context=self._context)


def _opener_for(url: str):
    """The opener of one delivery: outside development, pinned to the endpoint's checked address."""
    if settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return _opener
    parts = urllib.parse.urlsplit(url)
    address = _public_address(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    return urllib.request.build_opener(
        _NoRedirects, _PinnedHTTPHandler(address), _PinnedHTTPSHandler(address)
    )


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked
    try:
        with _opener_for(url).open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, f"{type(error).__name__}: {reason}"[:300]


def delivery_attempt(*, delivery_id: int, now: dt.datetime | None = None) -> str | None:
    """Send one delivery if it is due and nobody else is sending it; record the outcome.

    Returns the state afterwards, or None when there was nothing to do (delivered, failed, not due,
    or claimed by another worker): safe to call twice.
    """
    now = now or timezone.now()
    hold = dt.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 60)
    claimed = (
        Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + hold)
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    if not Subscription.objects.usable().filter(pk=subscription.pk).exists():
        status, error, duration = None, "subscription inactive or its key revoked", 0
    else:
        body = body_of(delivery)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Portal-Event": delivery.event,
            "X-Portal-Event-Id": str(delivery.event_id),
            "X-Portal-Delivery": str(delivery.pk),
            signing.HEADER: signing.signature_header(subscription.secret, body),
        }
        started = time.perf_counter()
        status, error = _post(subscription.url, body, headers)
        duration = round((time.perf_counter() - started) * 1000)
    return _record(delivery, status=status, error=error, duration=duration, now=timezone.now())


@transaction.atomic
def _record(delivery: Delivery, *, status: int | None, error: str, duration: int, now) -> str:
    Attempt.objects.create(delivery=delivery, at=now, status=status, error=error, duration_ms=duration)
    delivery.attempts += 1
    delivery.last_status, delivery.last_error, delivery.claimed_until = status, error, None
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = DeliveryState.DELIVERED, now, None
    else:
        retry_at = now + backoff(delivery.attempts)
        gone = error.startswith("subscription inactive")
        if gone or retry_at > delivery.created_at + dt.timedelta(hours=settings.WEBHOOK_RETRY_HOURS):
            delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
        else:
            delivery.next_attempt_at = retry_at
    delivery.save(
        update_fields=[
            "attempts", "last_status", "last_error", "claimed_until", "state", "delivered_at", "next_attempt_at",
        ]
    )  # fmt: skip
    return delivery.state


def deliveries_due(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt is due and that nobody is sending."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def delivery_replay(*, delivery: Delivery, by) -> Delivery:
    """Send a delivered or failed event again, as a new delivery with the same event id (the log keeps both)."""
    require_perm(by, "webhooks.replay_delivery")
    if delivery.state == DeliveryState.PENDING:
        raise ApplicationError(_("This delivery is still being sent."), code="wrong_state")
    now = timezone.now()
    replay = Delivery.objects.create(
        subscription=delivery.subscription,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        next_attempt_at=now,
        created_at=now,
        replay_of=delivery,
    )
    _send_on_commit([replay.pk])
    return replay
