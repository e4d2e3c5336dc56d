"""Documents kept with an application: accepted by their first bytes (PDF, JPEG, PNG), stored privately
under a random name."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.utils.translation import gettext as _

from union_portal.core.permissions import require_visible

from ..models import (
    AidApplication,
    Document,
    DocumentKind,
    State,
)
from .common import _invalid

# --- documents --------------------------------------------------------------------------------------

#: Accepted document types, told by their first bytes (never by the name or the browser's word).
MAGIC = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
)
CLOSED_STATES = (State.CLOSED, State.REJECTED, State.WITHDRAWN)
#: Once paid (or finished) an application takes no more documents: nothing is left to decide on them.
NO_UPLOAD_STATES = (State.PAID, *CLOSED_STATES)


def documents_accepted(application: AidApplication) -> bool:
    return application.state not in NO_UPLOAD_STATES


def sniff_document(head: bytes) -> tuple[str, str] | None:
    for magic, extension, content_type in MAGIC:
        if head.startswith(magic):
            return extension, content_type
    return None


def document_add(*, application: AidApplication, by, upload, kind: str = DocumentKind.OTHER) -> Document:
    """Keep an uploaded PDF, JPEG or PNG with the application, privately, under a random name."""
    require_visible(by, application)
    if not documents_accepted(application):
        raise _invalid(
            _("Documents cannot be added to an application that is paid or finished."),
            "documents",
            "finished",
        )
    if kind not in DocumentKind.values:
        raise _invalid(_("Choose what the document is."), "documents")
    size = upload.size or 0
    if size > settings.AID_DOCUMENT_MAX_BYTES:
        raise _invalid(
            _("%(name)s is larger than %(mb)s MB.")
            % {"name": upload.name, "mb": settings.AID_DOCUMENT_MAX_BYTES // (1024 * 1024)},
            "documents",
            "too_large",
        )
    if size == 0:
        raise _invalid(_("%(name)s is empty.") % {"name": upload.name}, "documents", "empty")
    upload.seek(0)
    sniffed = sniff_document(upload.read(16))
    upload.seek(0)
    if sniffed is None:
        raise _invalid(
            _("%(name)s is not a PDF, JPEG or PNG file.") % {"name": upload.name}, "documents", "file_type"
        )
    extension, content_type = sniffed
    document = Document(
        application=application,
        kind=kind,
        token=secrets.token_hex(16),
        extension=extension,
        content_type=content_type,
        original_name=(upload.name or "document")[-200:],
        size=size,
        uploaded_by=by,
    )
    document.file.save("upload", upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def document_digest(document: Document) -> str:
    with document.file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()
