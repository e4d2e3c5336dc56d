"""Bench-only baselines: the member list and detail of the API written by hand with ``JsonResponse``.

Same authentication (the partner's ``Api-Key`` header, looked up by its hash, user active),
same permission (``members.view_member``), same scoping (``member_list(viewer=...)``, i.e.
``visible_to``), same paginator, same filters (``status``, ``within``), same JSON bytes: the
benchmark checks that both answers are byte-identical before it times them. What is left out
is the framework: DRF's request wrapping, content negotiation, throttles, filter backends and
serializer fields.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework.utils.urls import remove_query_param, replace_query_param

from members.models import Member
from members.selectors import member_list
from union_portal.api.models import APIKey, hash_key
from union_portal.api.pagination import StandardPagination
from union_portal.organisations.models import Organisation

JSON = {"ensure_ascii": False, "separators": (",", ":")}  # what DRF's JSONRenderer writes


def _user(request):
    keyword, _sep, secret = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    secret = secret.strip()
    if keyword != "Api-Key" or not secret:
        return None
    key = (
        APIKey.objects.usable()
        .select_related("user", "user__organisation")
        .filter(hashed_key=hash_key(secret))
        .first()
    )
    if key is None or not key.user.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 300:
        APIKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.user


def _denied(status: int) -> JsonResponse:
    return JsonResponse({"detail": "denied"}, status=status, json_dumps_params=JSON)


def member_dict(m: Member) -> dict:
    """What ``members.api.MemberSerializer`` returns, built by hand."""
    return {
        "id": m.pk,
        "name": m.name,
        "sex": m.sex,
        "birth_date": m.birth_date.isoformat(),
        "masked_id_number": m.masked_id_number,
        "masked_mobile": m.masked_mobile,
        "status": m.status,
        "union": {"id": m.union.pk, "name": m.union.name},
        "employer": {"id": m.employer.pk, "name": m.employer.name} if m.employer_id else None,
        "card_number": m.card_number,
        "join_date": m.join_date.isoformat() if m.join_date else None,
        "household_type": m.household_type,
        "is_migrant_worker": m.is_migrant_worker,
        "job": m.job,
        "skill_grade": m.skill_grade,
    }


def member_detail_view(request, pk: int):
    user = _user(request)
    if user is None:
        return _denied(401)
    if not user.has_perm("members.view_member"):
        return _denied(403)
    member = member_list(viewer=user).filter(pk=pk).first()
    if member is None:
        raise Http404
    return JsonResponse(member_dict(member), json_dumps_params=JSON)


def member_list_view(request):
    user = _user(request)
    if user is None:
        return _denied(401)
    if not user.has_perm("members.view_member"):
        return _denied(403)
    queryset = member_list(viewer=user)
    if request.GET.get("status"):
        queryset = queryset.filter(status=request.GET["status"])
    if request.GET.get("within"):
        path = (
            Organisation.objects.visible_to(user)
            .filter(pk=int(request.GET["within"]))
            .values_list("path", flat=True)
            .first()
        )
        queryset = queryset.filter(queryset.org_q(path)) if path else queryset.none()
    size = min(int(request.GET.get("page_size") or 50), StandardPagination.max_page_size)
    paginator = StandardPagination.django_paginator_class(queryset, size)
    page = paginator.page(int(request.GET.get("page") or 1))
    url = request.build_absolute_uri()
    previous = None
    if page.has_previous():
        number = page.previous_page_number()
        previous = (
            remove_query_param(url, "page") if number == 1 else replace_query_param(url, "page", number)
        )
    data = {
        "count": paginator.count,
        "next": replace_query_param(url, "page", page.next_page_number()) if page.has_next() else None,
        "previous": previous,
        "results": [member_dict(m) for m in page.object_list],
    }
    return JsonResponse(data, json_dumps_params=JSON)


def static_page(request) -> HttpResponse:
    """A page with no data, through the portal's base template: the portal benchmark's baseline."""
    return render(request, "bench/static.html", {"is_proxy_agent": False})
