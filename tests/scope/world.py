"""The world the scope walk and the generic per-model tests act in: town B's records (the victims)
and the people who walk, made through the factories."""

from __future__ import annotations

from dataclasses import dataclass

from members.models import BenefitMerchant, Member
from union_portal.accounts.roles import Role
from union_portal.api.models import APIKey
from union_portal.core.models import AccessLog
from union_portal.imports.models import ImportJob

from ..accounts.factories import make_user
from ..members.factories import make_member


@dataclass
class World:
    tree: object
    people: object
    victim_user: object
    victim_member: Member
    victim_application: Member
    victim_merchant: BenefitMerchant
    victim_import_job: ImportJob
    own_member: Member
    partner_user: object
    partner_secret: str


def make_world(tree, people) -> World:
    """Town B's records that town A must never reach, and the people who walk."""
    people.town_b_staff.display_name = "乐平镇干部乙"
    people.town_b_staff.save(update_fields=["display_name"])
    victim_user = make_user(Role.MEMBER, None, username="victim", mobile="13700000009")
    victim = make_member(tree.union_b, user=victim_user, name="外镇秘密会员")
    application = make_member(tree.union_b, active=False, name="外镇待批申请人")
    own = make_member(tree.union_a, user=people.member_user, name="本人会员")
    merchant = BenefitMerchant.objects.create(
        name="乐平秘密商家", discount="9折", town=tree.town_b, valid_from="2026-01-01"
    )
    job = ImportJob.objects.create(
        original_name="乐平秘密导入.csv", created_by=people.town_b_staff, organisation=tree.town_b
    )
    AccessLog.objects.create(
        actor=people.district_staff,
        action="reveal",
        target_type="members.Member",
        target_id=str(victim.pk),
        target_repr=str(victim),
        reason="核对",
    )
    partner = make_user(Role.PARTNER, tree.town_a, username="walk-partner")
    _key, secret = APIKey.issue(name="西南合作方", user=partner)
    return World(tree, people, victim_user, victim, application, merchant, job, own, partner, secret)


def user_for(world: World, role: str):
    """The user of a walking role (``None`` for anonymous)."""
    return {
        "anonymous": None,
        "member": world.people.member_user,
        "proxy_agent": world.people.proxy_a,
        "union_officer": world.people.officer_a,
        "town_a_staff": world.people.town_a_staff,
        "town_b_staff": world.people.town_b_staff,
        "district_staff": world.people.district_staff,
        "union_b_officer": world.people.officer_b,
        "auditor": world.people.auditor,
    }[role]
