"""The figures of the registry in the REST API: ``GET /api/v1/figures/``.

Every figure of every app the caller may read (each figure's own permission), for one organisation
subtree they may see (by default their own node) and a span of days (by default the year to date).
The numbers come from ``<app>/figures.py`` through the one registry, so they equal the dashboard's
and the reports'. Money and hours are strings of decimals; rates are shares (0..1) or null.
"""

from __future__ import annotations

import datetime as dt

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from union_portal.core.figures import Period, all_figures, figures_scope

from .areas import area_of
from .compute import plain


class FiguresQuerySerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        required=False, min_value=1,
        help_text=gettext_lazy("The subtree whose figures are read; by default the caller's own node."),
    )  # fmt: skip
    date_from = serializers.DateField(
        required=False, help_text=gettext_lazy("Default: 1 January of this year.")
    )
    date_to = serializers.DateField(required=False, help_text=gettext_lazy("Default: today."))
    area = serializers.CharField(
        required=False, help_text=gettext_lazy("Only the figures of one area (members, aid, legal, ...).")
    )

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("date_from", dt.date(today.year, 1, 1))
        attrs.setdefault("date_to", today)
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError(
                {"date_to": [gettext_lazy("The end cannot be before the start.")]}
            )
        return attrs


class FigureValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    area = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField(
        help_text=gettext_lazy("count, money (yuan), rate (a share, 0 to 1) or hours.")
    )
    value = serializers.JSONField(
        help_text=gettext_lazy("A number, or {part: number} for a breakdown or by month.")
    )


class FiguresSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    figures = FigureValueSerializer(many=True)


class FiguresView(APIView):
    """The registry's figures of a subtree for a span of days, those the caller may read."""

    key_scope = "figures"
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[FiguresQuerySerializer], responses={200: FiguresSerializer})
    def get(self, request):
        query = FiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        scope = figures_scope(request.user, data.get("organisation"))
        if scope is None:
            raise NotFound(gettext_lazy("No such organisation in your scope."))
        period = Period(data["date_from"], data["date_to"])
        figures = [
            {
                "key": figure.key,
                "area": area_of(figure),
                "label": str(figure.label),
                "unit": figure.unit,
                "value": plain(figure.value(scope=scope, period=period)),
            }
            for figure in all_figures()
            if figure.readable_by(request.user) and data.get("area") in (None, area_of(figure))
        ]
        return Response(FiguresSerializer({
            "organisation": scope.pk, "date_from": period.start, "date_to": period.end, "figures": figures,
        }).data)  # fmt: skip


ROUTES: list = []  # no viewsets: one read-only view
COMMAND_URLS = [path("figures/", FiguresView.as_view(), name="figures")]
