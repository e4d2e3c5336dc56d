"""The project's URLs plus the bench-only views the benchmarks compare against."""

import os

from django.urls import path

from union_portal.urls import urlpatterns as project_urlpatterns

from . import plainviews

if os.environ.get("BENCH_ESTIMATED_COUNT"):
    # The API's pagination with the planner's estimate instead of COUNT(*) (union_portal/core/pagination.py).
    from union_portal.api.pagination import StandardPagination
    from union_portal.core.pagination import EstimatedCountPaginator

    StandardPagination.django_paginator_class = EstimatedCountPaginator

urlpatterns = [
    path("bench/plain/members/", plainviews.member_list_view, name="bench-plain-members"),
    path("bench/plain/members/<int:pk>/", plainviews.member_detail_view, name="bench-plain-member"),
    path("bench/static/", plainviews.static_page, name="bench-static"),
    *project_urlpatterns,
]
