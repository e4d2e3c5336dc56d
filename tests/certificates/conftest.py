import pytest
from django.core.cache import cache

from ..factories import make_member


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def holder(tree, people):
    """A member of union A with a login (the people fixture's member user)."""
    return make_member(tree.union_a, user=people.member_user, name="陈晓明")


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
