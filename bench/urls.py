"""The project's URLs plus the bench-only views the benchmarks compare against."""

import os

from django.core.paginator import Paginator
from django.urls import path

from union_portal.api.pagination import StandardPagination
from union_portal.core.pagination import EstimatedCountPaginator
from union_portal.urls import urlpatterns as project_urlpatterns

from . import plainviews

# The API's pagination counts with the planner's estimate (the project's default) when
# BENCH_ESTIMATED_COUNT is set, and with Django's exact COUNT(*) otherwise: each row of the API
# benchmark measures the paginator its label names (the plain view uses the same class).
StandardPagination.django_paginator_class = (
    EstimatedCountPaginator if os.environ.get("BENCH_ESTIMATED_COUNT") else Paginator
)

urlpatterns = [
    path("bench/plain/members/", plainviews.member_list_view, name="bench-plain-members"),
    path("bench/plain/members/<int:pk>/", plainviews.member_detail_view, name="bench-plain-member"),
    path("bench/static/", plainviews.static_page, name="bench-static"),
    *project_urlpatterns,
]
