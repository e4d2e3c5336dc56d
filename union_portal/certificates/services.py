"""Issuing, revoking, verifying and printing certificates: the one place for their rules.

An app issues a certificate for one of its records::

    certificate = certificate_issue(
        by=staff, kind="contest.prize", source=entry, holder_name="陈晓明", holder_user=member.user,
        title="获奖证书", subject="在2026年三水区叉车司机职业技能竞赛中荣获一等奖",
        issuer="三水区总工会", organisation=member.union,
        template="competitions/certificate.html", context={"prize": "一等奖"},
    )
    pdf_bytes = certificate_pdf(certificate)

Issuing twice for the same record and kind returns the certificate already issued (safe to call
again); after a revocation a new one, with a new code, can be issued. The PDF is drawn by WeasyPrint
from the template the caller named (Noto Sans/Serif CJK render the Chinese) with a QR code of the
public verification address ``/portal/certificates/verify/<code>/``.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.validators import clean_text

from .models import Certificate

#: Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or typed is not misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 random bits
DEFAULT_TEMPLATE = "certificates/certificate.html"
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.·]")


def _invalid(message, field: str | None = None, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def _text(value, field: str, limit: int, *, required: bool = True) -> str:
    try:
        return clean_text(value, max_length=limit, required=required)
    except ValidationError as error:
        raise ApplicationError.from_validation_error(error, field=field) from None


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    """What a person typed or scanned, as stored: upper case, no separators, O read as 0, I and L as 1."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return _SEPARATORS.sub("", text).upper().translate(_TYPED)[:40]


def _source(source) -> tuple[str, str, str]:
    if isinstance(source, models.Model):
        if source.pk is None:
            raise _invalid(_("The record must be saved before a certificate is issued for it."), "source")
        return source._meta.app_label, source._meta.model_name, str(source.pk)
    app_label, model_name, pk = source
    return str(app_label), str(model_name).lower(), str(pk)


def _plain(value):
    """Values of the printed details: strings, numbers, booleans, dates as ISO strings, lists, dicts."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@transaction.atomic
def certificate_issue(
    *,
    by,
    kind: str,
    source,
    holder_name: str,
    title: str,
    subject: str,
    issuer: str,  # the issuing body as printed (三水区总工会)
    holder_is_person: bool = True,
    holder_user=None,
    organisation=None,
    issued_on: dt.date | None = None,
    template: str = DEFAULT_TEMPLATE,
    context: dict | None = None,
) -> Certificate:
    """Issue a certificate for ``source`` (a saved model instance, or ``(app_label, model, pk)``).

    ``by`` is the user who issues it (needs ``certificates.add_certificate`` and must see
    ``organisation``), or ``None`` when a scheduled task issues it on the system's behalf.
    Returns the live certificate already issued for the same record and kind, if any.
    ``subject`` is shown on the public verification page: it must not name the holder.
    """
    if by is not None:
        require_perm(by, "certificates.add_certificate")
        if organisation is not None:
            require_visible(by, organisation)
    kind = _text(kind, "kind", 50)
    app_label, model_name, pk = _source(source)
    existing = (
        Certificate.objects.live()
        .filter(source_app=app_label, source_model=model_name, source_pk=pk, kind=kind)
        .first()
    )
    if existing is not None:
        return existing
    issued_on = issued_on or timezone.localdate()
    if issued_on > timezone.localdate():
        raise _invalid(_("A certificate cannot be dated in the future."), "issued_on")
    certificate = Certificate(
        code=new_code(),
        kind=kind,
        holder_name=_text(holder_name, "holder_name", 100),
        holder_is_person=holder_is_person,
        holder_user=holder_user,
        title=_text(title, "title", 100),
        subject=_text(subject, "subject", 300),
        issuer=_text(issuer, "issuer", 100),
        issued_on=issued_on,
        organisation=organisation,
        template=_text(template, "template", 200),
        context=_plain(context or {}),
        source_app=app_label,
        source_model=model_name,
        source_pk=pk,
        issued_by=by,
    )
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        # Issued at the same moment by another request: that one stands.
        existing = (
            Certificate.objects.live()
            .filter(source_app=app_label, source_model=model_name, source_pk=pk, kind=kind)
            .first()
        )
        if existing is None:
            raise
        return existing
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke a certificate (wrongly issued, or its honour withdrawn). The verification page then says so."""
    if by is not None:
        require_perm(by, "certificates.revoke_certificate")
        require_visible(by, certificate)
    reason = _text(reason, "reason", 300)
    certificate = Certificate.objects.select_for_update(of=("self",)).get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        return certificate
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = by
    certificate.revoke_reason = reason
    certificate._change_reason = reason[:100]
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return certificate


def certificates_for(source, *, kind: str | None = None):
    """The certificates issued for one record, newest first (revoked ones included)."""
    app_label, model_name, pk = _source(source)
    rows = Certificate.objects.filter(source_app=app_label, source_model=model_name, source_pk=pk)
    return rows.filter(kind=kind) if kind else rows


# --- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateCheck:
    """What the public verification answers: never more than a masked name, the title and the date."""

    code: str
    found: bool
    valid: bool = False
    revoked: bool = False
    masked_name: str = ""
    title: str = ""
    subject: str = ""
    issuer: str = ""
    issued_on: dt.date | None = None
    revoked_on: dt.date | None = None

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


def certificate_verify(code: str) -> CertificateCheck:
    """Look a code up (as typed or scanned). Unknown, altered or malformed codes are simply not found."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return CertificateCheck(code=code[:CODE_LENGTH], found=False)
    certificate = (
        Certificate.objects.filter(code=code)
        .only(
            "code", "holder_name", "holder_is_person", "title", "subject", "issuer", "issued_on", "revoked_at"
        )
        .first()
    )
    if certificate is None:
        return CertificateCheck(code=code, found=False)
    revoked = certificate.revoked_at is not None
    return CertificateCheck(
        code=code,
        found=True,
        valid=not revoked,
        revoked=revoked,
        masked_name=certificate.masked_holder_name,
        title=certificate.title,
        subject=certificate.subject,
        issuer=certificate.issuer,
        issued_on=certificate.issued_on,
        revoked_on=timezone.localtime(certificate.revoked_at).date() if revoked else None,
    )


def verification_url(certificate_or_code, request=None) -> str:
    """The public address printed (as a QR code) on the certificate: under SITE_URL, else the
    address the request reached (union_portal.core.portal.absolute_url)."""
    from union_portal.core.portal import absolute_url

    code = getattr(certificate_or_code, "code", certificate_or_code)
    return absolute_url(request, reverse("certificates:verify", args=[code]))


# --- printing ---------------------------------------------------------------------------------------


def certificate_qr_svg(certificate: Certificate, request=None) -> str:
    """The QR code of the verification address, as an SVG document."""
    import segno

    code = segno.make(verification_url(certificate, request), error="m")
    return code.svg_inline(scale=4, border=2, dark="#111111", light="#ffffff")


def certificate_html(certificate: Certificate, *, template: str | None = None, request=None) -> str:
    """The certificate as HTML, in the portal's default language (what is printed is Chinese)."""
    svg = certificate_qr_svg(certificate, request)
    qr_data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    context = {
        "certificate": certificate,
        "details": certificate.context,
        "verify_url": verification_url(certificate, request),
        "qr_data_uri": qr_data_uri,
    }
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template or certificate.template or DEFAULT_TEMPLATE, context)


def certificate_pdf(certificate: Certificate, *, template: str | None = None, request=None) -> bytes:
    """The certificate as a PDF (WeasyPrint): one A4 landscape page with the QR code and the code."""
    from weasyprint import HTML

    html = certificate_html(certificate, template=template, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
