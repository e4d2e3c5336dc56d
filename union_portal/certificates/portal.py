"""Public verification of certificates, and the PDF for those who may see a certificate.

``/portal/certificates/verify/<code>/`` answers anyone (the QR code on the paper leads there):
valid or revoked, the holder's name masked, the title, the text and the date. It is limited per
client address so that codes cannot be walked. The PDF is served only to the holder and to staff
whose subtree the certificate belongs to (``visible_to``); anyone else gets a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from union_portal.core.clientip import over_rate

from . import services
from .models import Certificate


def verify_rate() -> int:
    return settings.CERTIFICATE_VERIFY_RATE_PER_MINUTE


def _limited(request: HttpRequest) -> HttpResponse:
    response = render(request, "certificates/verify_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


@never_cache
def verify_form(request: HttpRequest) -> HttpResponse:
    """A box to type the code printed on a certificate; it leads to the verification page."""
    code = services.normalise_code(request.GET.get("code", ""))
    if code:
        return redirect("certificates:verify", code=code)
    return render(request, "certificates/verify_form.html")


@never_cache
def verify(request: HttpRequest, code: str) -> HttpResponse:
    if over_rate(request, "certificate-verify", verify_rate()):
        return _limited(request)
    check = services.certificate_verify(code)
    status = 200 if check.found else 404
    response = render(request, "certificates/verify.html", {"check": check}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache  # no-store and private: the paper carries the full name
@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(Certificate.objects.visible_to(request.user), pk=pk)
    response = HttpResponse(
        services.certificate_pdf(certificate, request=request), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="certificate-{certificate.code}.pdf"'
    return response
