"""A proxy agent sees what they filed, the same in the portal and the API (issue 18.4).

Before: the portal listed what the agent filed, while ``/api/v1/members/`` (with the agent's portal
session) listed every member of their area, names and masked numbers included.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from members import services
from members.models import Channel, Member, MembershipEvent
from union_portal.core.errors import PermissionDeniedError

from ..members.factories import make_member, member_data


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_the_api_shows_a_proxy_agent_what_the_portal_shows_them(client, tree, people):
    # given a member the agent filed for and one their union registered, both in the agent's area
    filed = services.member_apply(
        data=member_data(tree.union_a, name="代办张三"),
        by=people.proxy_a,
        channel=Channel.PROXY,
        consent=True,
    )
    services.member_approve(member=filed, by=people.officer_a)
    other = make_member(tree.union_a, name="本会李四")
    api = APIClient()
    api.force_login(people.proxy_a)
    client.force_login(people.proxy_a)

    members = api.get(reverse("v1:member-list"))
    portal = client.get(reverse("portal:proxy_list"))

    assert _ids(members) == {filed.pk}
    assert [m.pk for m in portal.context["page"]] == [filed.pk]
    assert api.get(reverse("v1:member-detail", args=[other.pk])).status_code == 404
    assert api.get(reverse("v1:member-detail", args=[filed.pk])).status_code == 200
    # the events of the member they filed, not of the others
    events = MembershipEvent.objects.visible_to(people.proxy_a)
    assert set(events.values_list("member_id", flat=True)) == {filed.pk}
    # staff of the same area still see both
    assert set(Member.objects.visible_to(people.town_a_staff).values_list("pk", flat=True)) >= {
        filed.pk,
        other.pk,
    }


def test_a_proxy_agent_still_files_aid_for_any_member_of_their_area_by_full_id_number(
    client, tree, people, settings
):
    # a member the agent did not file for (registered by the union), known to them by ID number only
    member = make_member(tree.union_a, name="本会王五")
    assert not Member.objects.visible_to(people.proxy_a).filter(pk=member.pk).exists()
    assert Member.objects.in_area_of(people.proxy_a).filter(pk=member.pk).exists()
    # but never a member of another town, whatever they type
    outsider = make_member(tree.union_b, name="外镇赵六")
    assert not Member.objects.in_area_of(people.proxy_a).filter(pk=outsider.pk).exists()

    from assistance import services as aid

    application = aid.application_submit(
        member=member,
        by=people.proxy_a,
        kind="employment",
        data={"reason": "失业后求职困难", "amount_requested": "500"},
    )
    assert application.filed_by == people.proxy_a
    try:
        aid.application_submit(
            member=outsider,
            by=people.proxy_a,
            kind="employment",
            data={"reason": "越权代办", "amount_requested": "500"},
        )
    except PermissionDeniedError:
        pass
    else:  # pragma: no cover - the assertion below says what went wrong
        raise AssertionError("a proxy agent filed aid for a member of another town")
