"""The one way to tell a person something: :func:`notify`.

Call it inside the service that changed something; it waits for the transaction to commit
(nothing is sent for a change that rolled back), renders the event's templates in the recipient's
language, and a Celery task writes the inbox row; each channel the recipient wants for the event's
kind (inbox, SMS, email; ``kinds.py``) is then sent by a task of its own, retried with backoff and
marked failed (for staff to retry in the admin) when it keeps failing. The ``key`` names the event
(``aid.approved:42``): a task that runs twice, or a service called twice, sends one message.

Quiet hours: no SMS between ``NOTIFICATION_QUIET_START`` and ``NOTIFICATION_QUIET_END`` (22:00 to
08:00, Shanghai time) unless the message is urgent; it waits, and the beat sweep
(``notifications.send_waiting_sms``) sends it in the morning.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from .backends import SMSDeliveryError, get_sms_backend
from .kinds import CHANNELS, kind_of
from .models import Delivery, Notification, NotificationPreference, NotificationProfile

logger = logging.getLogger(__name__)

KEY_MAX = 200


class DeliveryError(Exception):
    """A channel's gateway did not take the message; the delivering task retries."""


def render_event(event: str, context: dict, link: str = "") -> dict[str, str]:
    """The words of one message: ``notifications/<event>/title.txt``, ``body.txt`` and ``sms.txt``
    (templates of the app that sends it), rendered in the current language; and the email's HTML,
    ``notifications/<event>/body.html`` if the event has one, else ``notifications/email.html``
    around the body. A missing body or SMS template is an empty body, and an SMS made of the title.
    Plain text is not HTML-escaped (an SMS reads "A&B", not "A&amp;B"); the HTML is."""
    from django.template import Context, TemplateDoesNotExist, engines
    from django.template.loader import render_to_string

    engine = engines["django"]

    def render(part: str, required: bool = False) -> str:
        try:
            template = engine.get_template(f"notifications/{event}/{part}.txt").template
        except TemplateDoesNotExist:
            if required:
                raise
            return ""
        return " ".join(template.render(Context(context, autoescape=False)).split())

    title = render("title", required=True)
    body = render("body")
    html_context = {**context, "title": title, "body": body, "event": event, "link": absolute_url(link)}
    html = render_to_string([f"notifications/{event}/body.html", "notifications/email.html"], html_context)
    return {"title": title, "body": body, "sms": one_sentence(render("sms") or title), "html": html}


SENTENCE_END = ("。", "！", "？", ".", "!", "?")


def one_sentence(text: str) -> str:
    """An SMS is one sentence: it ends with a full stop, once, even when it ends with a person's words
    (a reason typed by staff, with or without its own stop)."""
    import re

    text = re.sub(r"([。！？.!?])[。.]+$", r"\1", text.strip())
    if text and not text.endswith(SENTENCE_END):
        text += "。" if "\u3000" <= text[-1] <= "\u9fff" or text[-1] in "）」』”" else "."
    return text


def recipient_language(user_id: int) -> str:
    """The language a user's messages are written in: their choice, else the portal's."""
    chosen = NotificationProfile.objects.filter(user_id=user_id).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE


def notify(
    *,
    user,
    key: str,
    event: str,
    context: dict | None = None,
    link: str = "",
    urgent: bool = False,
) -> None:
    """Queue a message to ``user`` for after the current transaction commits.

    ``event`` names the templates of the message (see :func:`render_event`); they are rendered when
    the transaction commits, in the recipient's language. ``key`` makes it idempotent. ``urgent``
    (tomorrow's shift, a limitation date) ignores quiet hours and reaches the recipient even if
    they switched every channel of its kind off (by the inbox).
    """
    if user is None:
        return
    if not event:
        raise ValueError("notify() needs an event")
    user_id = user.pk
    context = dict(context or {})

    def enqueue():
        from .tasks import deliver_notification

        with translation.override(recipient_language(user_id)):
            texts = render_event(event, context, link)
        deliver_notification.delay(
            user_id=user_id,
            kind=event[:50],
            title=texts["title"][:200],
            body=texts["body"],
            sms=texts["sms"],
            html=texts["html"],
            link=link[:300],
            key=key[:KEY_MAX],
            urgent=urgent,
        )

    transaction.on_commit(enqueue)


# --- preferences ------------------------------------------------------------------------------------


def channels_for(*, user_id: int, event: str, urgent: bool = False) -> set[str]:
    """The channels a user wants for an event: their choice for its kind, else the kind's default.
    An urgent message never goes nowhere: with every channel off it still reaches the inbox."""
    kind = kind_of(event)
    preference = NotificationPreference.objects.filter(user_id=user_id, kind=kind.key).first()
    wanted = preference.channels() if preference is not None else set(kind.default)
    if not wanted and (urgent or kind.urgent):
        wanted = {"inbox"}
    return wanted


def _may_set_for(*, user, by) -> None:
    """A person sets their own message settings; staff with ``change_notificationpreference`` set
    those of the people of their subtree (a member asking at the counter)."""
    from django.utils.translation import gettext as _

    from union_portal.core.errors import NotFoundError, PermissionDeniedError
    from union_portal.core.scoping import sees_everything, user_scope_path

    from .models import people_of

    if by.pk == user.pk:
        return
    if not by.has_perm("notifications.change_notificationpreference"):
        raise PermissionDeniedError(_("You may not change another person's message settings."))
    if sees_everything(by):
        return
    path = user_scope_path(by)
    if not path or not get_user_model().objects.filter(people_of(path), pk=user.pk).exists():
        raise NotFoundError(_("No such user."))


def preference_save(*, user, kind: str, channels: set[str] | list[str], by) -> NotificationPreference:
    """Set the channels ``user`` wants for ``kind``. Only the user themselves, or staff who may change
    preferences and see the user; an urgent kind keeps at least one channel."""
    from django.utils.translation import gettext as _

    from union_portal.core.errors import ApplicationError

    from .kinds import kinds

    _may_set_for(user=user, by=by)
    declared = kinds().get(kind)
    if declared is None:
        raise ApplicationError(_("No such kind of message."), code="invalid", field="kind")
    channels = set(channels)
    unknown = channels - set(CHANNELS)
    if unknown:
        raise ApplicationError(_("No such channel."), code="invalid", field="channels")
    if declared.urgent and not channels:
        raise ApplicationError(
            _("“%(kind)s” cannot be switched off entirely: keep at least one channel."),
            code="urgent_kind",
            field="channels",
            params={"kind": declared.label},
        )
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={name: name in channels for name in CHANNELS}
    )
    return preference


def preferences_for(*, user) -> list[tuple]:
    """``(kind, channels)`` for every declared kind, the user's choice or the default (one query)."""
    from .kinds import kinds

    chosen = {p.kind: p.channels() for p in NotificationPreference.objects.filter(user=user)}
    return [(kind, chosen.get(key, set(kind.default))) for key, kind in kinds().items()]


def language_save(*, user, language: str, by) -> NotificationProfile:
    from django.utils.translation import gettext as _

    from union_portal.core.errors import ApplicationError

    _may_set_for(user=user, by=by)
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("No such language."), code="invalid", field="language")
    profile, _created = NotificationProfile.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return profile


# --- quiet hours ------------------------------------------------------------------------------------


def quiet_until(now: datetime | None = None) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (local time), or None outside them."""
    now = timezone.localtime(now or timezone.now())
    start, end = settings.NOTIFICATION_QUIET_START, settings.NOTIFICATION_QUIET_END
    t = now.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    day = now.date() if t < end else now.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), now.tzinfo)


# --- delivery ---------------------------------------------------------------------------------------


def notification_deliver(
    *,
    user_id: int,
    kind: str,
    title: str,
    body: str,
    link: str,
    key: str,
    sms: str = "",
    html: str = "",
    urgent: bool = False,
    send: bool = True,
) -> Notification:
    """Write the message (once per key) with the channels its recipient wants, then send them.

    With ``send=False`` the channels are only recorded (the task sends each with retries); the
    default sends them here, which is what a direct call (a test, the shell) expects."""
    notification = Notification.objects.filter(key=key).first()
    if notification is None:
        wanted = channels_for(user_id=user_id, event=kind, urgent=urgent)
        notification, _created = Notification.objects.get_or_create(
            key=key,
            defaults={
                "recipient_id": user_id, "kind": kind, "title": title, "body": body, "link": link,
                "sms_text": sms, "html": html, "urgent": urgent, "in_inbox": "inbox" in wanted,
                "sms_status": Delivery.PENDING if "sms" in wanted else Delivery.OFF,
                "email_status": Delivery.PENDING if "email" in wanted else Delivery.OFF,
            },
        )  # fmt: skip
    if send:
        for channel in Notification.CHANNELS:
            notification_send(notification=notification, channel=channel)
    return notification


def sms_text(notification: Notification) -> str:
    if notification.sms_text:
        text = notification.sms_text
    else:
        text = notification.title if not notification.body else f"{notification.title}：{notification.body}"
    return f"【{settings.SMS_SIGN_NAME}】{text}"[: settings.SMS_MAX_LENGTH]


def _address(notification: Notification, channel: str) -> str:
    field = "mobile" if channel == "sms" else "email"
    value = (
        get_user_model().objects.filter(pk=notification.recipient_id).values_list(field, flat=True).first()
    )
    return value or ""


def _send_email(notification: Notification, address: str) -> None:
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    with translation.override(recipient_language(notification.recipient_id)):
        text = render_to_string(
            "notifications/email.txt",
            {"notification": notification, "link": absolute_url(notification.link)},
        )
    message = EmailMultiAlternatives(
        subject=notification.title, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
    )
    if notification.html:
        message.attach_alternative(notification.html, "text/html")
    try:
        message.send(fail_silently=False)
    except (OSError, ValueError) as exc:  # smtplib's errors are OSErrors
        raise DeliveryError(str(exc)[:300] or exc.__class__.__name__) from exc


def absolute_url(link: str) -> str:
    if link.startswith("/") and settings.SITE_URL:
        return settings.SITE_URL.rstrip("/") + link
    return link


def notification_send(*, notification: Notification, channel: str, now: datetime | None = None) -> str:
    """Send one channel of a message, once: claim it, call the gateway with no row locked and no
    transaction open, record the outcome. Returns the channel's status afterwards ("pending" when
    it waits for the end of the quiet hours). Raises :class:`DeliveryError` when the gateway
    failed (the channel is pending again, with the error, for the task to retry)."""
    if channel == "sms" and not notification.urgent:
        until = quiet_until(now)
        if until is not None:
            if Notification.objects.filter(pk=notification.pk, sms_status=Delivery.PENDING).update(
                sms_not_before=until
            ):
                notification.sms_not_before = until
                return Delivery.PENDING
            return Notification.objects.filter(pk=notification.pk).values_list("sms_status", flat=True)[0]
    if not _claim(notification, channel):
        return getattr(notification, f"{channel}_status")  # done, switched off, or being sent now
    address = _address(notification, channel)
    if not address or (channel == "sms" and not settings.SMS_ENABLED):
        _release(notification, channel, status=Delivery.SKIPPED)
        return Delivery.SKIPPED
    try:
        if channel == "sms":
            get_sms_backend().send(address, sms_text(notification))
        else:
            _send_email(notification, address)
    except (SMSDeliveryError, DeliveryError) as exc:
        error = str(exc)[:300]
        _release(notification, channel, status=Delivery.PENDING, error=error)
        logger.warning("%s for notification %s failed: %s", channel, notification.pk, error)
        raise DeliveryError(error) from exc
    except BaseException:
        _release(notification, channel, status=Delivery.PENDING, error="interrupted")
        raise
    _release(notification, channel, status=Delivery.SENT, sent=True)
    return Delivery.SENT


def _claim(notification: Notification, channel: str) -> bool:
    """Take a channel for this run: PENDING (or a stale SENDING claim) becomes SENDING, atomically."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATION_SMS_CLAIM_SECONDS)
    claimable = Q(**{f"{channel}_status": Delivery.PENDING}) | Q(
        **{f"{channel}_status": Delivery.SENDING, f"{channel}_claimed_at__lt": stale}
    )
    return bool(
        Notification.objects.filter(claimable, pk=notification.pk).update(
            **{f"{channel}_status": Delivery.SENDING, f"{channel}_claimed_at": now}
        )
    )


def _release(notification: Notification, channel: str, *, status: str, error: str = "", sent=False) -> None:
    fields = {f"{channel}_status": status, f"{channel}_error": error, f"{channel}_claimed_at": None}
    if sent:
        fields[f"{channel}_sent_at"] = timezone.now()
    Notification.objects.filter(pk=notification.pk, **{f"{channel}_status": Delivery.SENDING}).update(
        **fields
    )
    for name, value in fields.items():
        setattr(notification, name, value)


def notification_failed(*, notification_id: int, channel: str) -> None:
    """The task gave up: the inbox row stays, the channel is marked failed (its error kept) for staff."""
    Notification.objects.filter(pk=notification_id, **{f"{channel}_status": Delivery.PENDING}).update(
        **{f"{channel}_status": Delivery.FAILED}
    )


def notification_retry(*, notification: Notification, by, channels=Notification.CHANNELS) -> list[str]:
    """Staff send the failed channels of a message again (the admin's "retry" action): each failed
    channel is pending again and queued. Returns the channels queued."""
    from django.utils.translation import gettext as _

    from union_portal.core.errors import NotFoundError, PermissionDeniedError

    from .tasks import send_notification

    if not by.has_perm("notifications.retry_notification"):
        raise PermissionDeniedError(_("You may not retry deliveries."))
    if not Notification.objects.visible_to(by).filter(pk=notification.pk).exists():
        raise NotFoundError(_("No such message."))
    queued = []
    for channel in channels:
        if Notification.objects.filter(pk=notification.pk, **{f"{channel}_status": Delivery.FAILED}).update(
            **{f"{channel}_status": Delivery.PENDING}
        ):
            queued.append(channel)
            transaction.on_commit(
                lambda c=channel, pk=notification.pk: send_notification.delay(notification_id=pk, channel=c)
            )
    return queued


def waiting_sms_due(*, now: datetime | None = None):
    """Messages whose SMS waited for the end of the quiet hours and may go now."""
    now = now or timezone.now()
    return Notification.objects.filter(
        sms_status=Delivery.PENDING, sms_not_before__isnull=False, sms_not_before__lte=now
    ).values_list("pk", flat=True)


def notification_mark_read(*, notification: Notification, by) -> Notification:
    if notification.recipient_id != by.pk:
        from django.utils.translation import gettext as _

        from union_portal.core.errors import NotFoundError

        raise NotFoundError(_("No such message."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, by) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())


# --- one-time codes -----------------------------------------------------------------------------------

CODE_TTL_SECONDS = 10 * 60
CODE_MAX_ATTEMPTS = 5
HOUR, DAY = 60 * 60, 24 * 60 * 60


def _code_key(purpose: str, mobile: str) -> str:
    return f"otp:{purpose}:{mobile}"


def _code_limits() -> list[tuple[str, int, int]]:
    """(who, window in seconds, most codes in it): the caps on codes sent, from the settings."""
    return [
        ("client", HOUR, settings.SMS_CODES_PER_CLIENT_HOUR),
        ("client", DAY, settings.SMS_CODES_PER_CLIENT_DAY),
        ("mobile", HOUR, settings.SMS_CODES_PER_MOBILE_HOUR),
        ("mobile", DAY, settings.SMS_CODES_PER_MOBILE_DAY),
    ]


def _count_in_window(key: str, window: int) -> int:
    """One more in a fixed window of the shared cache; the count so far (atomic ``incr`` in Redis)."""
    from django.core.cache import cache

    key = f"{key}:{int(timezone.now().timestamp()) // window}"
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def _too_many_codes():
    from django.utils.translation import gettext as _

    from union_portal.core.errors import ApplicationError

    error = ApplicationError(
        _("Too many codes were asked for: try again later."), code="too_many_codes", field=None
    )
    error.status_code = 429
    return error


def verification_code_allow(*, mobile: str, client: str) -> None:
    """Count one code request for ``mobile`` from ``client``, or refuse it (``ApplicationError``, 429).

    Every SMS code (activation, password reset and any later one) passes here, whether or not a code
    is then sent, so the answer never tells whether the mobile is on file: at most one code per
    mobile per ``SMS_CODE_COOLDOWN_SECONDS``, and at most ``SMS_CODES_PER_{MOBILE,CLIENT}_{HOUR,DAY}``.
    The client is counted first: a client over its cap does not use up the mobile's allowance."""
    from django.core.cache import cache
    from django.utils.translation import gettext as _

    from union_portal.core.errors import ApplicationError

    for who, window, limit in _code_limits():
        if (
            who == "client"
            and _count_in_window(f"otp:rate:client:{client or 'unknown'}:{window}", window) > limit
        ):
            raise _too_many_codes()
    cooldown = settings.SMS_CODE_COOLDOWN_SECONDS
    if cooldown and not cache.add(f"otp:cooldown:{mobile}", 1, timeout=cooldown):
        error = ApplicationError(
            _("A code was sent a moment ago: wait %(seconds)s seconds before asking for a new one."),
            code="code_too_soon",
            params={"seconds": cooldown},
        )
        error.status_code = 429
        raise error
    for who, window, limit in _code_limits():
        if who == "mobile" and _count_in_window(f"otp:rate:mobile:{mobile}:{window}", window) > limit:
            raise _too_many_codes()


def verification_code_send(*, mobile: str, purpose: str, text: str) -> None:
    """Send a 6-digit code by SMS; only its hash is kept (in the shared cache, for 10 minutes).

    ``text`` has a ``%(code)s`` placeholder. A new code replaces the previous one. The caller has
    counted the request with :func:`verification_code_allow` first (for every request, sent or not).
    """
    import hashlib
    import secrets

    from django.core.cache import cache

    code = f"{secrets.randbelow(1_000_000):06d}"
    digest = hashlib.sha256(f"{purpose}:{mobile}:{code}".encode()).hexdigest()
    until = timezone.now().timestamp() + CODE_TTL_SECONDS
    cache.set(_code_key(purpose, mobile), {"digest": digest, "attempts": 0, "until": until}, CODE_TTL_SECONDS)
    get_sms_backend().send(mobile, f"【{settings.SMS_SIGN_NAME}】" + (str(text) % {"code": code}))


def verification_code_check(*, mobile: str, purpose: str, code: str, use: bool = True) -> bool:
    """True for the right code; five wrong tries and the code is gone.

    With ``use=False`` a right code stays valid: a service checks the code first, then everything
    else (a password, say), and spends the code with ``use=True`` only when all of it succeeded, so a
    mistake in a later step does not burn the code. Spending is single-use under concurrency: of two
    requests with the same code, only the one that deletes the entry gets True."""
    import hashlib
    import hmac

    from django.core.cache import cache

    key = _code_key(purpose, mobile)
    entry = cache.get(key)
    left = (entry or {}).get("until", 0) - timezone.now().timestamp()
    if entry is None or left <= 0:
        return False
    digest = hashlib.sha256(f"{purpose}:{mobile}:{(code or '').strip()}".encode()).hexdigest()
    if hmac.compare_digest(digest, entry["digest"]):
        return True if not use else bool(cache.delete(key))
    entry["attempts"] += 1
    if entry["attempts"] >= CODE_MAX_ATTEMPTS:
        cache.delete(key)
    else:
        cache.set(key, entry, max(1, int(left)))  # a wrong try does not make the code live longer
    return False
