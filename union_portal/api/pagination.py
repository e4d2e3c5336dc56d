import re

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from union_portal.core.pagination import EstimatedCountPaginator

_WHOLE_NUMBER = re.compile(r"[0-9]+", re.ASCII)


class StandardPagination(PageNumberPagination):
    """Page numbers, with the planner's estimate as ``count`` above 10,000 rows (no full ``COUNT(*)``).

    ``page_size`` is what the schema says, a whole number from 1 to ``max_page_size``: anything else is
    a 400 naming the parameter, not silently the default page size (DRF's own behaviour, which the
    schemathesis run reported as a schema-violating request accepted).
    """

    django_paginator_class = EstimatedCountPaginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        raw = values[-1]
        if len(values) > 1 or not _WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give one whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                },
                code="invalid",
            )
        return int(raw)

    def get_page_number(self, request, paginator):
        """``page`` as the schema says, a whole number from 1: an empty or malformed one is a 400 naming it
        (DRF reads ``page=`` as the first page, which the schemathesis run reported as accepted)."""
        values = request.query_params.getlist(self.page_query_param)
        if not values:
            return 1
        raw = values[-1]
        if len(values) > 1 or not _WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
            raise ValidationError(
                {self.page_query_param: [_("Give one whole number from 1.")]},
                code="invalid",
            )
        return raw

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
