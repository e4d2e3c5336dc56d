"""The scale data generator, and a smoke run of the benchmark harness so that it cannot rot.

The harness itself runs on PostgreSQL only (its own databases ``bench_smoke_*``, never the test
database); the generator runs on both.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter as Tally
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.db import connection

from members.models import Member, MembershipEvent, MemberStatus
from members.scale import IMPORT_ID_START, scale_id_number
from union_portal.core.models import Counter
from union_portal.core.scale import MARKER_MEMBERS
from union_portal.core.validators import parse_id_number
from union_portal.organisations.models import Organisation, OrganisationKind

ROOT = Path(__file__).resolve().parents[2]


def test_scale_id_numbers_are_valid_distinct_and_spread_over_forty_years():
    # given indexes of the scale data and of the import files
    indexes = [*range(5000), *range(IMPORT_ID_START, IMPORT_ID_START + 1000)]

    # when
    numbers = [scale_id_number(i, male=i % 2 == 0) for i in indexes]

    # then
    assert len(set(numbers)) == len(numbers)
    parsed = [parse_id_number(n) for n in numbers]
    assert [p.number for p in parsed] == numbers
    assert {p.sex for p in parsed[:10]} == {"M", "F"}
    years = {p.birth_date.year for p in parsed[:5000]}
    assert min(years) == 1966
    assert max(years) == 2005


@pytest.mark.django_db
def test_generate_scale_builds_a_consistent_district():
    # when
    call_command("generate_scale", members=400, seed=5, only="members,assistance", verbosity=0)

    # then
    members = list(Member.objects.select_related("union", "employer"))
    assert len(members) == 400
    assert len({m.id_number_hash for m in members}) == 400
    for m in members[:50]:
        parsed = parse_id_number(m.id_number)  # decrypts: the ciphertext was written as the app writes it
        assert (m.sex, m.birth_date) == (parsed.sex, parsed.birth_date)
        assert m.union.kind in (OrganisationKind.GRASSROOTS, OrganisationKind.BRANCH, OrganisationKind.GROUP)
        assert m.employer is not None
        assert (m.card_number is None) == (m.status in (MemberStatus.PENDING, MemberStatus.REJECTED))
        assert (m.name_pinyin, m.name_initials) != ("", "")
    statuses = Tally(m.status for m in members)
    assert 320 <= statuses[MemberStatus.ACTIVE] <= 390
    assert Member.history.count() == 400
    assert MembershipEvent.objects.count() >= 400
    assert Organisation.objects.filter(kind=OrganisationKind.TOWN).count() == 7
    district = Organisation.objects.get(kind=OrganisationKind.DISTRICT)
    assert (
        Organisation.objects.filter(path__startswith=district.path, depth__gt=1).count()
        == Organisation.objects.count() - 1
    )
    assert district.numchild == 9  # seven towns, two industry federations
    assert Counter.objects.get(name=MARKER_MEMBERS).value == 400


def _bench_url() -> str:
    """Databases of the smoke run's own, named after the test database's, so that two checkouts
    testing against one server at once do not share (and drop) each other's."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/bench_smoke_{parts.path.strip('/') or 'default'}"))


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmarks run on PostgreSQL")
def test_quick_run_writes_a_table_with_every_benchmark(tmp_path):
    # given tiny sizes and short load tests in databases of their own (built on the first run, reused
    # after: the first run on a slow machine takes over 25 minutes, most of it generating the districts)
    output = tmp_path / "latest.md"
    env = {**os.environ, "DATABASE_URL": _bench_url()}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    # when
    proc = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--members", "2000", "--import-rows", "200",
         "--duration", "0.3", "--output", str(output)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=2700, check=False,
    )  # fmt: skip

    # then
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = output.read_text(encoding="utf-8")
    assert "failed" not in report, report
    assert " CPUs (" in report
    assert "PostgreSQL " in report
    for row in (
        "import 200 rows from csv",
        "import 200 rows from xlsx",
        "admin flow from csv",
        "admin flow from xlsx",
        "import baseline: PostgreSQL COPY",
        "rows from xlsx: peak memory",
        "rows from csv: peak memory",
        "change feed at 2,000 members: page ",
        "API calls with a key: requests per second with the call log",
        "API member detail",
        "API member list, page of 100 (",
        "API member list, page of 100, status + within filters",
        "serialising 100 members",
        "EstimatedCountPaginator) |",
        "admin changelist: open the list",
        "admin changelist: filter by town",
        "admin changelist: search by full name",
        "admin changelist: search by a 2-character name fragment",
        "admin changelist: search by exact ID number",
        "admin changelist: search by phone",
        "name search query, full name (3 characters): with the trigram index",
        "name search query, 2-character fragment: with the bigram index",
        "portal membership card page",
        "portal application form",
        "queries: admin members.Member | ",
        "queries: API /api/v1/members/",
        "queries: portal /portal/proxy/",
        "queries: admin aid queue: to check (submitted)",
        "queries: aid API: applications",
        "admin aid payment list, open (2,000 members)",
    ):
        assert row in report, row
    assert "byte-identical to the API's: yes" in report
    # every bad row of the sample file is reported, each with its reason (however many the file holds)
    assert re.search(
        r"bad rows reported with their reason \(check step\) \| (\d+)/\1 rows, \1 with a reason", report
    )
