from rest_framework.pagination import PageNumberPagination

from union_portal.core.pagination import EstimatedCountPaginator


class StandardPagination(PageNumberPagination):
    """Page numbers, with the planner's estimate as ``count`` above 10,000 rows (no full ``COUNT(*)``)."""

    django_paginator_class = EstimatedCountPaginator
    page_size_query_param = "page_size"
    max_page_size = 200
