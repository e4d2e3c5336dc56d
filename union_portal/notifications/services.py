"""The one way to tell a person something: :func:`notify`.

Call it inside the service that changed something; it waits for the transaction to commit
(nothing is sent for a change that rolled back), then a Celery task writes the inbox row and
sends the SMS. The ``key`` names the event (``aid.approved:42``): a task that runs twice, or a
service called twice, sends one message.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from .backends import SMSDeliveryError, get_sms_backend
from .models import Notification

logger = logging.getLogger(__name__)

KEY_MAX = 200


def render_event(event: str, context: dict) -> dict[str, str]:
    """The words of one message: ``notifications/<event>/title.txt``, ``body.txt`` and ``sms.txt``
    (templates of the app that sends it), rendered in the current language. A missing body or
    SMS template is an empty body, and an SMS made of the title. Plain text: nothing is HTML-escaped
    (an SMS reads "A&B", not "A&amp;B")."""
    from django.template import Context, TemplateDoesNotExist, engines

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
    return {"title": title, "body": body, "sms": render("sms") or title}


def notify(
    *,
    user,
    key: str,
    event: str | None = None,
    context: dict | None = None,
    link: str = "",
    urgent: bool = False,
    kind: str | None = None,
    title: str = "",
    body: str = "",
) -> None:
    """Queue a message to ``user`` for after the current transaction commits.

    ``event`` names the templates of the message (see :func:`render_event`); they are rendered when
    the transaction commits, in the portal's language. ``kind``/``title``/``body`` pass ready-made
    text instead (older callers; new code uses events). ``key`` makes it idempotent.
    """
    if user is None:
        return
    if event is None and not title:
        raise ValueError("notify() needs an event (or a title)")
    user_id = user.pk
    context = dict(context or {})

    def enqueue():
        from .tasks import deliver_notification

        if event is not None:
            with translation.override(settings.LANGUAGE_CODE):
                texts = render_event(event, context)
        else:
            texts = {"title": str(title), "body": str(body), "sms": ""}
        deliver_notification.delay(
            user_id=user_id,
            kind=(event or kind or "message")[:50],
            title=texts["title"][:200],
            body=texts["body"],
            sms=texts["sms"],
            link=link[:300],
            key=key[:KEY_MAX],
            urgent=urgent,
        )

    transaction.on_commit(enqueue)


def sms_text(notification: Notification) -> str:
    if notification.sms_text:
        text = notification.sms_text
    else:
        text = notification.title if not notification.body else f"{notification.title}：{notification.body}"
    return f"【{settings.SMS_SIGN_NAME}】{text}"[: settings.SMS_MAX_LENGTH]


def notification_deliver(
    *,
    user_id: int,
    kind: str,
    title: str,
    body: str,
    link: str,
    key: str,
    sms: str = "",
    urgent: bool = False,
) -> Notification:
    """Write the inbox row (once per key) and send its SMS (once). Safe to run again after a failure."""
    notification, _created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "recipient_id": user_id, "kind": kind, "title": title, "body": body, "link": link,
            "sms_text": sms, "urgent": urgent,
        },
    )  # fmt: skip
    if not _sms_claim(notification):
        return notification  # sent, skipped, failed for good, or another run is sending it now
    mobile = (
        get_user_model().objects.filter(pk=notification.recipient_id).values_list("mobile", flat=True).first()
    )
    if not mobile or not settings.SMS_ENABLED:
        _sms_release(notification, status=Notification.SMS.SKIPPED)
        return notification
    # The SMS gateway is called with no row locked and no transaction open: the claim (a conditional
    # UPDATE that committed) is what keeps two runs from sending the same message.
    try:
        get_sms_backend().send(mobile, sms_text(notification))
    except SMSDeliveryError as exc:
        error = str(exc)[:300]
        _sms_release(notification, status=Notification.SMS.PENDING, error=error)
        logger.warning("SMS for notification %s failed: %s", notification.pk, error)
        raise SMSDeliveryError(error) from exc
    except BaseException:
        _sms_release(notification, status=Notification.SMS.PENDING, error="interrupted")
        raise
    _sms_release(notification, status=Notification.SMS.SENT, sent=True)
    return notification


def _sms_claim(notification: Notification) -> bool:
    """Take the SMS for this run: PENDING (or a stale SENDING claim) becomes SENDING, atomically."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATION_SMS_CLAIM_SECONDS)
    claimable = Q(sms_status=Notification.SMS.PENDING) | Q(
        sms_status=Notification.SMS.SENDING, sms_claimed_at__lt=stale
    )
    return bool(
        Notification.objects.filter(claimable, pk=notification.pk).update(
            sms_status=Notification.SMS.SENDING, sms_claimed_at=now
        )
    )


def _sms_release(notification: Notification, *, status: str, error: str = "", sent: bool = False) -> None:
    fields = {"sms_status": status, "sms_error": error, "sms_claimed_at": None}
    if sent:
        fields["sms_sent_at"] = timezone.now()
    Notification.objects.filter(pk=notification.pk, sms_status=Notification.SMS.SENDING).update(**fields)
    for name, value in fields.items():
        setattr(notification, name, value)


def notification_sms_failed(*, key: str) -> None:
    """The task gave up: the inbox row stays, the SMS is marked failed."""
    Notification.objects.filter(key=key, sms_status=Notification.SMS.PENDING).update(
        sms_status=Notification.SMS.FAILED
    )


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
