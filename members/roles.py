"""What each role may do with members (discovered by ``sync_roles``)."""

from union_portal.accounts.roles import Role

_MEMBER_ADMIN = [
    "members.view_member", "members.add_member", "members.change_member",
    "members.approve_member", "members.transfer_member", "members.end_member",
    "members.view_membershipevent", "members.view_transferrequest",
    "members.import_member", "members.export_member",
    "members.view_benefitmerchant",
]  # fmt: skip

PERMISSIONS = {
    Role.DISTRICT_STAFF: [
        *_MEMBER_ADMIN,
        "members.add_benefitmerchant", "members.change_benefitmerchant",
        "members.reveal_member", "members.export_unmasked_member",
    ],
    Role.TOWN_STAFF: [*_MEMBER_ADMIN, "members.reveal_member"],
    Role.UNION_OFFICER: [
        "members.view_member", "members.add_member", "members.change_member",
        "members.approve_member", "members.transfer_member", "members.end_member",
        "members.view_membershipevent", "members.view_transferrequest", "members.export_member",
    ],
    Role.AUDITOR: ["members.view_member", "members.view_transferrequest"],
    Role.PROXY_AGENT: ["members.view_member", "members.add_member"],
    # A partner system's service user: reads what its organisation node covers, through an API key.
    Role.PARTNER: ["members.view_member"],
}  # fmt: skip
