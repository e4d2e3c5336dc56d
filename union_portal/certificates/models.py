"""Certificates (证书) the portal issues: a contest prize, an honour, a volunteer's service hours.

A certificate is a record of its own, kept forever: who holds it (the name as printed), what it
says, who issued it and when, and the record it was issued for (a generic link by app label, model
name and primary key, as strings: the platform imports no app). Its code is random and long
enough not to be guessed; the public verification page finds a certificate by that code only and
shows the holder's name masked. A certificate is never deleted or edited: a wrong one is revoked,
with the reason, and a new one issued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from union_portal.core.masking import mask_name
from union_portal.core.scoping import ScopedQuerySet
from union_portal.organisations.models import Organisation


class CertificateQuerySet(ScopedQuerySet):
    """Staff see the certificates of their subtree (the holder's union, or the issuing body for
    holders that are not people); a holder sees their own."""

    scope_org_lookups = ("organisation",)
    scope_owner_lookup = "holder_user"

    def live(self):
        return self.filter(revoked_at__isnull=True)


class Certificate(models.Model):
    """One issued certificate with its public verification code."""

    code = models.CharField(_("verification code"), max_length=16, unique=True, editable=False)
    kind = models.CharField(
        _("kind"),
        max_length=50,
        editable=False,
        help_text=_("What it certifies, named by the app that issued it (contest.prize, honour, ...)."),
    )
    holder_name = models.CharField(_("holder"), max_length=100, editable=False)
    holder_is_person = models.BooleanField(
        _("holder is a person"),
        default=True,
        editable=False,
        help_text=_("A person's name is masked on public pages; a team's or a body's is not."),
    )
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder's login"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        editable=False,
    )
    title = models.CharField(_("title"), max_length=100, editable=False)
    subject = models.CharField(_("text"), max_length=300, editable=False)
    issued_on = models.DateField(_("issued on"), editable=False, db_index=True)
    issuer = models.CharField(_("issued by (body)"), max_length=100, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        editable=False,
        help_text=_("Whose staff see it: the holder's union, or the issuing federation."),
    )
    template = models.CharField(_("template"), max_length=200, editable=False)
    context = models.JSONField(_("printed details"), default=dict, blank=True, editable=False)
    source_app = models.CharField(_("source app"), max_length=50, editable=False)
    source_model = models.CharField(_("source model"), max_length=50, editable=False)
    source_pk = models.CharField(_("source record"), max_length=40, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True, editable=False)

    objects = CertificateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_app", "source_model", "source_pk", "kind"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_live_per_source",
                violation_error_message=_("This record already has a valid certificate of this kind."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="certificate_revoked_has_reason",
                violation_error_message=_("A revoked certificate needs the reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["source_app", "source_model", "source_pk"], name="certificate_source")
        ]
        permissions = [("revoke_certificate", _("Can revoke certificates"))]

    def __str__(self) -> str:
        return f"{self.title} · {self.masked_holder_name} · {self.display_code}"

    @property
    def masked_holder_name(self) -> str:
        return mask_name(self.holder_name) if self.holder_is_person else self.holder_name

    @property
    def display_code(self) -> str:
        """``7K2M9QXR4TPA3HCW`` as printed: ``7K2M-9QXR-4TPA-3HCW``."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
