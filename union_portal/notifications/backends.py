"""SMS channels. ``settings.SMS_BACKEND`` picks one: ``console`` (development default), ``locmem``
(tests read ``outbox``), ``http`` (a provider's HTTP API at ``SMS_API_URL`` with ``SMS_API_KEY``),
or the dotted path of a class with ``send(mobile, text)``."""

from __future__ import annotations

import json
import logging
import sys
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SMSDeliveryError(Exception):
    """The provider did not take the message; the delivering task retries."""


class BaseSMSBackend:
    def send(self, mobile: str, text: str) -> str:
        """Send one message; return the provider's message id (or "")."""
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    """Writes the message to standard output, like Django's console mail backend."""

    def send(self, mobile: str, text: str) -> str:
        sys.stdout.write(f"[SMS to {mobile}] {text}\n")
        sys.stdout.flush()
        return ""


#: Messages the locmem backend "sent", for tests (like ``django.core.mail.outbox``).
outbox: list[tuple[str, str]] = []


class LocMemSMSBackend(BaseSMSBackend):
    def send(self, mobile: str, text: str) -> str:
        outbox.append((mobile, text))
        return str(len(outbox))


class HTTPSMSBackend(BaseSMSBackend):
    """POSTs ``{"mobile", "text", "sign"}`` as JSON to ``SMS_API_URL`` with ``Authorization: Bearer SMS_API_KEY``.

    Most Chinese SMS gateways (or a small adapter in front of one) accept this shape; a 2xx answer
    is success and its JSON ``id``, if any, is kept. Anything else raises :class:`SMSDeliveryError`.
    """

    def send(self, mobile: str, text: str) -> str:
        url = settings.SMS_API_URL
        if not url.startswith(("https://", "http://")):
            raise SMSDeliveryError("SMS_API_URL is not an http(s) URL")
        body = json.dumps({"mobile": mobile, "text": text, "sign": settings.SMS_SIGN_NAME}).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_API_KEY}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:  # noqa: S310
                payload = response.read(65536)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SMSDeliveryError(str(exc)[:300]) from exc
        try:
            return str(json.loads(payload or b"{}").get("id", ""))[:100]
        except (ValueError, AttributeError):
            return ""


ALIASES = {
    "console": ConsoleSMSBackend,
    "locmem": LocMemSMSBackend,
    "http": HTTPSMSBackend,
}


def get_sms_backend() -> BaseSMSBackend:
    name = settings.SMS_BACKEND
    cls = ALIASES.get(name) or import_string(name)
    return cls()
