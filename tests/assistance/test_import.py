"""Import of hardship files: every row through ``hardship_file_open``, refused rows are row errors."""

import tablib
from django.urls import reverse

from assistance.models import HardshipFile
from assistance.resources import HEADERS, HardshipFileResource

from ..factories import make_member


def _dataset(*rows):
    return tablib.Dataset(
        *rows, headers=[HEADERS[k] for k in ("id_number", "level", "causes", "next_recheck_on", "household")]
    )


def test_import_opens_files_and_reports_bad_rows(tree, people):
    good = make_member(tree.union_a)
    other_town = make_member(tree.union_b)
    dataset = _dataset(
        (
            good.id_number,
            "深度困难",
            "疾病、子女就学",
            "2027-03-01",
            f"{good.name}/本人/40/2100; 李梅/配偶/38/0",
        ),
        (other_town.id_number, "severe", "illness", "", "某某/self/40/100"),  # outside the importer's town
        ("440607199001011234", "severe", "illness", "", "某某/self/40/100"),  # nobody
        (good.id_number, "深度困难", "赌博", "", "x/本人/40/0"),  # unknown cause
    )
    result = HardshipFileResource(user=people.town_a_staff).import_data(
        dataset, dry_run=False, raise_errors=False
    )
    assert [r.import_type for r in result.rows] == ["new", "invalid", "invalid", "invalid"]
    file = HardshipFile.objects.get()
    assert (file.member, file.level, file.causes, file.household_size, file.income_per_head) == (
        good, "severe", ["illness", "schooling"], 2, 1050,
    )  # fmt: skip
    assert file.opened_by == people.town_a_staff


def test_a_dry_run_writes_nothing(tree, people):
    member = make_member(tree.union_a)
    dataset = _dataset((member.id_number, "relative", "unemployment", "", f"{member.name}/self/30/1000"))
    result = HardshipFileResource(user=people.district_staff).import_data(
        dataset, dry_run=True, raise_errors=False
    )
    assert not result.has_validation_errors() and HardshipFile.objects.count() == 0


def test_import_page_needs_the_permission(client, tree, people):
    url = reverse("admin:assistance_hardshipfile_import")
    client.force_login(people.town_a_staff)
    assert client.get(url).status_code == 403
    client.force_login(people.district_staff)
    assert client.get(url).status_code == 200
