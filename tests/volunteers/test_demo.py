"""The demo: the corps and its teams, volunteers, a year of activities, hours waiting, star levels."""

from io import StringIO

from django.core.management import call_command

from volunteers.models import Activity, RecordStatus, ServiceRecord, Team, Volunteer


def test_the_demo_builds_the_corps_with_a_year_of_service(db):
    call_command("seed_demo", members=30, stdout=StringIO())
    assert Team.objects.filter(kind="corps").count() == 1
    assert Team.objects.filter(kind="specialist").count() == 5
    assert Volunteer.objects.count() >= 20
    assert Activity.objects.filter(status="finished").count() == 12
    assert Activity.objects.filter(status__in=["open", "full"]).count() == 12
    assert ServiceRecord.objects.filter(status=RecordStatus.PENDING).exists()
    assert Volunteer.objects.filter(star_level__gt=0).exists()
    from union_portal.core.demo import DemoContext
    from volunteers.demo import build

    build(DemoContext())  # again: the corps exists, nothing more is made
    assert Activity.objects.count() == 24
