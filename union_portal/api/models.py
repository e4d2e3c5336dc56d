"""Hashed API keys of partner systems."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The scope that allows everything the key's service user may do.
ALL_SCOPES = "*"


def validate_rate(value: str) -> None:
    """``<number>/<second|minute|hour|day>``, as DRF's throttles read it."""
    number, _sep, period = value.partition("/")
    if not (number.isdigit() and int(number) > 0 and period[:1] in {"s", "m", "h", "d"}):
        raise ValidationError(_("Write the rate as a number of requests per period, for example 1000/hour."))


def hash_key(secret: str) -> str:
    # Keys are 256-bit random values: a fast hash is enough; a slow one would only slow every request.
    return hashlib.sha256(secret.encode()).hexdigest()


class APIKeyQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class APIKey(models.Model):
    """A partner system's key. Only its hash is stored; the key acts as its service user,
    whose organisation and permissions scope everything it reads and writes."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acts as"), on_delete=models.PROTECT, related_name="api_keys"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    scopes = models.JSONField(
        _("scopes"),
        default=list,
        blank=True,
        help_text=_("What the key may do, for example members:read; * is everything its user may do."),
    )
    rate = models.CharField(
        _("rate limit"),
        max_length=20,
        blank=True,
        validators=[validate_rate],
        help_text=_("Requests per second, minute, hour or day, for example 1000/hour. Empty: the default."),
    )
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = APIKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(
        cls, *, name: str, user, expires_at=None, scopes=(ALL_SCOPES,), rate: str = ""
    ) -> tuple[APIKey, str]:
        """Create a key and return it with its secret, which is shown once and never stored."""
        prefix = secrets.token_hex(4)
        secret = f"{prefix}.{secrets.token_urlsafe(32)}"
        key = cls.objects.create(
            name=name,
            prefix=prefix,
            hashed_key=hash_key(secret),
            user=user,
            expires_at=expires_at,
            scopes=sorted(set(scopes)),
            rate=rate,
        )
        return key, secret

    def allows(self, scope: str) -> bool:
        return ALL_SCOPES in self.scopes or scope in self.scopes


class APICall(models.Model):
    """One call made with a key: who, what, the answer and how long it took (never the body)."""

    key = models.ForeignKey(APIKey, verbose_name=_("API key"), on_delete=models.PROTECT, related_name="calls")
    at = models.DateTimeField(_("at"), default=timezone.now)
    method = models.CharField(_("method"), max_length=8)
    endpoint = models.CharField(_("endpoint"), max_length=200)
    status = models.PositiveSmallIntegerField(_("status"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))

    class Meta:
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["key", "at"], name="apicall_key_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint} {self.status}"


class IdempotentRequest(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key`` header, replayed to retries.

    The row is written before the work starts (``status`` empty) so that a retry arriving while the
    first request still runs is told so instead of doing the work twice.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=100)
    body_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotent_request_once")]

    def __str__(self) -> str:
        return self.key
