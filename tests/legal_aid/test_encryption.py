"""Personal data of consultations and cases is encrypted at rest, readable through the models, masked
unless a permission says otherwise, and the data migration encrypts the rows written before it."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from legal_aid import services
from legal_aid.models import Channel, Consultation, DisputeCase
from union_portal.core.crypto import blind_index, encrypted_fields
from union_portal.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

ID_NUMBER = "440524199001010018"
PLAIN = {
    "applicant_name": "钱多多",
    "applicant_mobile": "13711112222",
    "details": "老板拖欠三个月工资，口头辞退",
}


def _open(tree, people, **data):
    values = {
        **PLAIN, "applicant_id_number": ID_NUMBER, "employer_name": "甲厂", "organisation": tree.union_a,
        "claims": [{"type": "wages", "amount": "9000"}], "arose_on": timezone.localdate() - dt.timedelta(days=40),
    }  # fmt: skip
    values.update(data)
    return services.case_open(by=people.district_staff, data=values)


def _raw(table: str, columns: list[str], pk: int, key: str = "id") -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = %s", [pk])  # noqa: S608
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_the_raw_columns_of_a_case_and_its_history_hold_no_plain_text(tree, people):
    case = _open(tree, people)
    stored = _raw("legal_aid_disputecase", [*PLAIN, "applicant_id_number"], case.pk)
    history = _raw("legal_aid_historicaldisputecase", [*PLAIN, "applicant_id_number"], case.pk)
    for row in (stored, history):
        for column, value in row.items():
            assert value.startswith("gAAAAA"), column  # a Fernet token
            assert PLAIN.get(column, ID_NUMBER) not in value and "工资" not in value
    case = DisputeCase.objects.get(pk=case.pk)
    assert (case.applicant_name, case.applicant_mobile, case.details) == tuple(PLAIN.values())
    assert case.applicant_id_number == ID_NUMBER
    assert case.applicant_id_number_hash == blind_index(ID_NUMBER)


def test_a_non_members_consultation_is_encrypted_and_an_empty_name_is_null(tree, people, legal):
    asked = services.consultation_record(
        by=legal.wang.user, channel=Channel.PHONE, topic="wages", question="加班费怎么算？", name="孙小红",
        mobile="13655556666", lawyer=legal.wang, organisation=tree.town_a,
    )  # fmt: skip
    raw = _raw("legal_aid_consultation", ["name", "mobile", "question"], asked.pk)
    assert all(value.startswith("gAAAAA") for value in raw.values())
    assert (
        "孙小红" not in raw["name"] and "13655556666" not in raw["mobile"] and "加班" not in raw["question"]
    )
    asked = Consultation.objects.get(pk=asked.pk)
    assert (asked.name, asked.mobile, asked.question) == ("孙小红", "13655556666", "加班费怎么算？")
    assert asked.masked_person == "孙*红" and asked.masked_mobile == "136****6666"
    with pytest.raises(ApplicationError):  # neither a member nor a name: the check still holds
        services.consultation_record(
            by=legal.wang.user, channel=Channel.PHONE, topic="wages", question="?", name="",
            lawyer=legal.wang, organisation=tree.town_a,
        )  # fmt: skip


def test_every_encrypted_column_is_under_rotate_keys():
    found = {model._meta.label: {f.name for f in fields} for model, fields in encrypted_fields()}
    assert found["legal_aid.DisputeCase"] == {
        "applicant_name",
        "applicant_mobile",
        "applicant_id_number",
        "details",
    }
    assert found["legal_aid.HistoricalDisputeCase"] == found["legal_aid.DisputeCase"]
    assert found["legal_aid.Consultation"] == {"name", "mobile", "question"}


def test_id_number_is_checked_and_found_through_its_blind_index(tree, people):
    case = _open(tree, people, applicant_id_number="440524 1990 0101 0018")  # spaces are dropped
    _open(tree, people, applicant_id_number="")
    assert list(services.find_cases_by_id_number(ID_NUMBER)) == [case]
    with pytest.raises(ApplicationError) as error:
        _open(tree, people, applicant_id_number="440524199001010019")
    assert error.value.field == "applicant_id_number"


def test_id_number_and_details_masked_without_the_permission(tree, people):
    _open(tree, people)
    client = APIClient()
    client.force_authenticate(people.officer_a)  # sees the union's cases, not their details
    row = client.get("/api/v1/legal/cases/").json()["results"][0]
    assert row["applicant"] == "钱*多"
    assert row["applicant_id_number"] == "440524********0018"
    assert PLAIN["details"] not in row["details"]
    client.force_authenticate(people.district_staff)  # legal_aid.view_case_details
    row = client.get("/api/v1/legal/cases/").json()["results"][0]
    assert row["applicant_id_number"] == ID_NUMBER and row["details"] == PLAIN["details"]


def test_the_data_migration_encrypts_old_plain_rows_once(tree, people, legal):
    case = _open(tree, people)
    asked = services.consultation_record(
        by=legal.wang.user, channel=Channel.VISIT, topic="contract", question="合同没签", name="周一",
        lawyer=legal.wang, organisation=tree.town_a,
    )  # fmt: skip
    with connection.cursor() as cursor:  # the rows as the plain columns held them before
        cursor.execute(
            "UPDATE legal_aid_disputecase SET applicant_name = %s, details = %s WHERE id = %s",
            ["钱多多", PLAIN["details"], case.pk],
        )
        cursor.execute("UPDATE legal_aid_consultation SET name = %s, question = %s WHERE id = %s",
                       ["周一", "合同没签", asked.pk])  # fmt: skip
        cursor.execute("UPDATE legal_aid_historicaldisputecase SET details = %s WHERE id = %s",
                       [PLAIN["details"], case.pk])  # fmt: skip
    migration = importlib.import_module("legal_aid.migrations.0003_encrypt_personal_data")

    class Editor:
        connection = connection

    for _run in range(2):  # running it again changes nothing (values already encrypted are kept)
        migration.encrypt_rows(apps, Editor)
        raw = _raw("legal_aid_disputecase", ["applicant_name", "details"], case.pk)
        assert all(value.startswith("gAAAAA") for value in raw.values())
        assert DisputeCase.objects.get(pk=case.pk).details == PLAIN["details"]
        assert DisputeCase.history.filter(id=case.pk).first().details == PLAIN["details"]
        assert Consultation.objects.get(pk=asked.pk).question == "合同没签"
    migration.decrypt_rows(apps, Editor)
    assert _raw("legal_aid_disputecase", ["details"], case.pk)["details"] == PLAIN["details"]
