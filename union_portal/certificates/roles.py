"""What each role may do with certificates (read by the platform after every migrate)."""

from union_portal.accounts.roles import Role

PERMISSIONS = {
    Role.DISTRICT_STAFF: [
        "certificates.view_certificate", "certificates.add_certificate", "certificates.revoke_certificate",
    ],
    Role.TOWN_STAFF: ["certificates.view_certificate", "certificates.add_certificate"],
    Role.UNION_OFFICER: ["certificates.view_certificate"],
    Role.AUDITOR: ["certificates.view_certificate"],
}  # fmt: skip
