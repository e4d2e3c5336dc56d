"""Scope-walk rules of membership transfers between areas (discovered by ``tests/scope/rules.py``)."""

from __future__ import annotations


def _second_union_b(w):
    """Another union of town B, outside union B's officer's area (so that officer's transfer waits)."""
    cached = w.__dict__.get("_union_b2")
    if cached is None:
        from tests.organisations.factories import make_union

        cached = w.__dict__["_union_b2"] = make_union(w.tree.town_b, "乐平镇第二工会委员会")
    return cached


def _pending_transfer(w):
    """A transfer waiting for a decision, both ends in town B: requested by union B's officer into another
    union of the town, which only the town's (and the district's) staff may accept."""
    from members import services
    from tests.members.factories import make_member

    member = make_member(w.tree.union_b, name="外镇转接会员")
    return services.member_transfer(
        member=member, to_union=_second_union_b(w), by=w.people.officer_b, reason="调到镇里另一家企业"
    )


def _victim_transfer(w):
    cached = w.__dict__.get("_transfer")
    if cached is None:
        cached = w.__dict__["_transfer"] = _pending_transfer(w)
    return cached


def register(rules) -> None:
    from members.models import TransferRequest

    rules.VICTIMS[TransferRequest] = _victim_transfer
    rules.PORTAL_URLS["portal:record"] = ("own", "the viewer's own timeline across every app")
    rules.ADMIN_EXTRA_URLS["members_transferrequest_step"] = {"step": "decline"}
    rules.COMMANDS.update({
        "v1:transfer-accept": lambda w: {},
        "v1:transfer-decline": lambda w: {"reason": "编制已满"},
        "v1:transfer-cancel": lambda w: {"reason": "员工不去了"},
    })  # fmt: skip
    rules.COMMAND_VICTIMS.update({
        "v1:transfer-accept": _pending_transfer,
        "v1:transfer-decline": _pending_transfer,
        "v1:transfer-cancel": _pending_transfer,
    })  # fmt: skip
