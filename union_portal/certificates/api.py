"""Certificates in the REST API (``/api/v1/certificates/...``).

- ``GET /certificates/``, ``GET /certificates/{id}/``: the certificates of the caller's scope, holder
  masked; ``POST /certificates/{id}/revoke/`` with a reason.
- ``GET /certificates/verify/{code}/``: public (no login), throttled per client: valid or revoked,
  masked name, title, text, issuer and date. An unknown code is a 404.
"""

from __future__ import annotations

import django_filters
from django.conf import settings
from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from union_portal.api.filters import FilterBackend, StableOrderingFilter
from union_portal.api.permissions import CommandPermissions

from . import services
from .models import Certificate


class CertificateFilterSet(django_filters.FilterSet):
    kind = django_filters.CharFilter()
    revoked = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", exclude=True)
    issued_after = django_filters.DateFilter(field_name="issued_on", lookup_expr="gte")
    issued_before = django_filters.DateFilter(field_name="issued_on", lookup_expr="lte")

    class Meta:
        model = Certificate
        fields = ["kind"]


class CertificateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(source="display_code", read_only=True)
    kind = serializers.CharField(read_only=True)
    holder = serializers.CharField(source="masked_holder_name", read_only=True)
    title = serializers.CharField(read_only=True)
    subject = serializers.CharField(read_only=True)
    issuer = serializers.CharField(read_only=True)
    issued_on = serializers.DateField(read_only=True)
    revoked = serializers.BooleanField(source="is_revoked", read_only=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    revoke_reason = serializers.CharField(read_only=True)
    source = serializers.SerializerMethodField()

    def get_source(self, obj) -> str:
        return f"{obj.source_app}.{obj.source_model}:{obj.source_pk}"


class CertificateRevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text=gettext_lazy("Shown in the history."))


class CertificateCheckSerializer(serializers.Serializer):
    code = serializers.CharField(source="display_code")
    valid = serializers.BooleanField()
    revoked = serializers.BooleanField()
    holder = serializers.CharField(source="masked_name")
    title = serializers.CharField()
    subject = serializers.CharField()
    issuer = serializers.CharField()
    issued_on = serializers.DateField()
    revoked_on = serializers.DateField(allow_null=True)


class CertificateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Certificates of the caller's scope. Never edited or deleted: revoked with a reason."""

    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    filter_backends = [FilterBackend, StableOrderingFilter]
    ordering_fields = ["issued_on", "pk"]

    def get_queryset(self):
        return Certificate.objects.visible_to(self.request.user).order_by("-issued_on", "-pk")

    @extend_schema(
        request=CertificateRevokeInputSerializer,
        responses={200: CertificateSerializer},
        operation_id="certificates_revoke",
    )
    @action(detail=True, methods=["post"], permission_classes=[CommandPermissions])
    def revoke(self, request, pk=None):
        """Revoke a certificate; the public check then says it is revoked."""
        certificate = self.get_object()
        data = CertificateRevokeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = services.certificate_revoke(
            certificate=certificate, by=request.user, **data.validated_data
        )
        return Response(CertificateSerializer(certificate).data)


class CertificateVerifyThrottle(SimpleRateThrottle):
    """Per client address (logged in or not): codes are long, but walking them is still not allowed."""

    scope = "certificate_verify"

    def get_rate(self):
        return settings.CERTIFICATE_VERIFY_API_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CertificateVerifyView(APIView):
    """Whether a certificate is valid: the public check behind the QR code, for machines."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [CertificateVerifyThrottle]

    @extend_schema(
        responses={200: CertificateCheckSerializer},
        operation_id="certificates_verify",
        summary=gettext_lazy("Verify a certificate by its code"),
    )
    def get(self, request, code: str):
        check = services.certificate_verify(code)
        if not check.found:
            raise NotFound(gettext_lazy("No certificate has this code."))
        return Response(CertificateCheckSerializer(check).data)


ROUTES = [("certificates", CertificateViewSet, "certificate")]
COMMAND_URLS = [
    path("certificates/verify/<str:code>/", CertificateVerifyView.as_view(), name="certificate-verify"),
]
