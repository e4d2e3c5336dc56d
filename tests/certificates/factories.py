"""Certificates issued through the service, as the application issues them."""

from __future__ import annotations


def issue(holder, by, **kwargs):
    from union_portal.certificates.services import certificate_issue

    defaults = {
        "kind": "contest.prize",
        "source": holder,
        "holder_name": holder.name,
        "holder_user": holder.user,
        "title": "获奖证书",
        "subject": "在2026年三水区叉车司机职业技能竞赛中荣获一等奖",
        "issuer": "三水区总工会",
        "organisation": holder.union,
    }
    return certificate_issue(by=by, **{**defaults, **kwargs})
