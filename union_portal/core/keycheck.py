"""The start-up key check (issue 18.8): a canary value in the database that the configured keys must read.

A server started with a wrong ``FIELD_ENCRYPTION_KEY`` used to pass its health check and write new
rows under the wrong key. Now a known text, encrypted with the key in use when the canary was made,
sits in ``core.KeyCanary``; the system check, the health check and every request read it, and when
no configured key decrypts it the server answers 503 and refuses to encrypt anything.

The verdict is kept per process (one query at the first request) and recomputed when the keys
change (``setting_changed``, i.e. in tests) or with :func:`key_check_reset`.
"""

from __future__ import annotations

from django.core.signals import setting_changed
from django.db import DatabaseError, IntegrityError, transaction

#: What the canary decrypts to.
CANARY_TEXT = "union-portal key canary"


class KeyMismatchError(Exception):
    """The configured encryption keys cannot read the data already stored: nothing is written."""


def _stored_sample_readable() -> bool:
    """Before the first canary: the newest stored encrypted value (if any) must be readable, so an
    upgraded database does not get a canary made with a wrong key."""
    from .crypto import DecryptionError, encrypted_fields

    for model, fields in encrypted_fields():
        if model._meta.app_label == "core":
            continue
        for field in fields:
            try:
                model._base_manager.exclude(**{f"{field.name}__isnull": True}).order_by("-pk").values_list(
                    field.name, flat=True
                ).first()
            except DecryptionError:
                return False
    return True


_verdict: dict[str, str] = {}


def key_check() -> str:
    """``"ok"``, ``"mismatch"`` (no configured key reads the canary) or ``"unknown"`` (no table yet,
    no database); the first two are kept for the life of the process. Reads only: the canary is made
    by the first write of personal data (:func:`require_matching_keys`)."""
    verdict = _verdict.get("keys")
    if verdict is None:
        verdict = _key_check()
        if verdict != "unknown":
            _verdict["keys"] = verdict
    return verdict


def _key_check() -> str:
    from .crypto import DecryptionError
    from .models import KeyCanary

    try:
        try:
            value = KeyCanary.objects.filter(pk=1).values_list("value", flat=True).first()
        except DecryptionError:
            return "mismatch"
        if value is None:
            return "ok" if _stored_sample_readable() else "mismatch"
        _verdict["canary"] = "made"
        return "ok" if value == CANARY_TEXT else "mismatch"
    except (DatabaseError, RuntimeError):  # RuntimeError: database access not allowed (tests)
        return "unknown"  # before migrate: nothing stored, nothing to protect


def key_check_reset(**kwargs) -> None:
    if not kwargs or kwargs.get("setting") in ("FIELD_ENCRYPTION_KEYS", "DATABASES"):
        _verdict.clear()


setting_changed.connect(key_check_reset)


def require_matching_keys() -> None:
    """Raise :class:`KeyMismatchError` when the keys cannot read the canary (called before encrypting);
    the first write of a process with no canary in the database makes it, under the newest key."""
    if key_check() == "mismatch":
        raise KeyMismatchError(
            "FIELD_ENCRYPTION_KEY cannot decrypt the key canary stored in the database: "
            "refusing to write personal data under a wrong key."
        )
    if _verdict.get("canary") is None and _verdict.get("keys") == "ok":
        from .models import KeyCanary

        try:
            with transaction.atomic():
                KeyCanary.objects.get_or_create(pk=1, defaults={"value": CANARY_TEXT})
        except IntegrityError:
            pass  # another process made it at the same moment
        _verdict["canary"] = "made"


class KeyCheckMiddleware:
    """Every request gets 503 while the configured keys cannot read the stored data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if key_check() == "mismatch" and not request.path.endswith("/healthz/"):
            from django.http import HttpResponse
            from django.utils.translation import gettext as _

            response = HttpResponse(
                _(
                    "The server's encryption key cannot read the stored data: the portal is closed "
                    "until an administrator sets the right key."
                ),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "300"
            return response
        return self.get_response(request)
