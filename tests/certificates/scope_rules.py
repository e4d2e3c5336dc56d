"""Scope-walk rules of the certificates (platform module): a certificate of town B's member is
invisible to town A's staff and to other members; the public check shows a masked name only."""

from __future__ import annotations


def _certificate(w):
    cached = w.__dict__.get("_certificate")
    if cached is None:
        from union_portal.certificates.services import certificate_issue

        cached = certificate_issue(
            by=w.people.district_staff,
            kind="walk.secret",
            source=w.victim_member,
            holder_name="外镇秘密会员",
            holder_user=w.victim_user,
            title="外镇秘密证书",
            subject="外镇秘密事迹",
            issuer="三水区总工会",
            organisation=w.tree.union_b,
        )
        w.__dict__["_certificate"] = cached
    return cached


def register(rules) -> None:
    from union_portal.certificates.models import Certificate

    rules.VICTIMS[Certificate] = _certificate
    rules.PORTAL_URLS.update({
        "certificates:verify_form": ("public", "a form that leads to the check"),
        "certificates:verify": ("public", "valid or revoked, a masked name, the title and date; rate-limited"),
        "certificates:pdf": (Certificate, "pk"),
    })  # fmt: skip
    rules.PORTAL_ARGS["certificates:verify"] = {"code": lambda w: _certificate(w).code}
    rules.API_COMMAND_URLS["v1:certificate-verify"] = (
        "public check by code: valid or revoked and a masked name only, throttled per client"
    )
    rules.COMMANDS["v1:certificate-revoke"] = lambda w: {"reason": "成绩复核后更正"}
