"""Finding a member by name: surnames read as surnames, both readings searchable, two-character
fragments through an index on PostgreSQL."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction

from members import selectors, services
from members.models import Member
from members.pinyin import NameKeys, name_search_keys

from ..members.factories import make_member


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("区伟强", NameKeys("ouweiqiang", "owq", "quweiqiang", "qwq")),
        ("曾娜", NameKeys("zengna", "zn", "cengna", "cn")),
        ("单雄信", NameKeys("shanxiongxin", "sxx", "danxiongxin", "dxx")),
        ("解缙", NameKeys("xiejin", "xj", "jiejin", "jj")),
        ("仇英", NameKeys("qiuying", "qy", "chouying", "cy")),
        ("朴树", NameKeys("piaoshu", "ps", "pushu", "ps")),
        ("翟志刚", NameKeys("zhaizhigang", "zzg", "dizhigang", "dzg")),
        ("长孙无忌", NameKeys("zhangsunwuji", "zswj")),  # 长 alone would be chang; with 孙 it is zhang
        ("单于平", NameKeys("chanyuping", "cyp")),  # a compound surname, not 单 shan + 于
        ("欧阳娜娜", NameKeys("ouyangnana", "oynn")),
        ("尉迟恭", NameKeys("yuchigong", "ycg")),
        ("万俟卨", NameKeys("moqixie", "mqx")),
        ("子车明", NameKeys("zijuming", "zjm", "zicheming", "zcm")),
        ("张三", NameKeys("zhangsan", "zs")),  # an ordinary surname: one reading
        ("区", NameKeys("qu", "q")),  # one character is no surname plus name
    ],
)
def test_a_surname_is_read_as_a_surname_and_the_common_reading_is_kept_when_it_differs(name, keys):
    assert name_search_keys(name) == keys


def test_staff_find_a_member_by_either_reading_of_the_surname(tree):
    ou = make_member(tree.union_a, name="区伟强")
    zeng = make_member(tree.union_a, name="曾娜")
    shan = make_member(tree.union_a, name="单雄信")
    make_member(tree.union_a, name="张伟")
    members = Member.objects.all()

    def found(term):
        return set(selectors.member_search(members, term).values_list("name", flat=True))

    assert found("ouweiqiang") == {"区伟强"}
    assert found("quweiqiang") == {"区伟强"}  # the reading of someone who does not know the surname's
    assert found("owq") == {"区伟强"}
    assert found("qwq") == {"区伟强"}
    assert found("zengna") == {"曾娜"}
    assert found("cengna") == {"曾娜"}
    assert found("shanx") == {"单雄信"}
    assert found("ZN") == {"曾娜"}
    assert {ou.name_pinyin, zeng.name_pinyin, shan.name_pinyin} == {"ouweiqiang", "zengna", "shanxiongxin"}


def test_a_list_sorted_by_name_puts_a_surname_where_its_reading_sorts(tree):
    for name in ("曾娜", "陈明", "邓伟"):
        make_member(tree.union_a, name=name)

    names = list(Member.objects.order_by("name_pinyin").values_list("name", flat=True))

    assert names == ["陈明", "邓伟", "曾娜"]  # chen, deng, zeng (not ceng, before chen)


def test_renaming_a_member_recomputes_both_readings(tree, people):
    member = make_member(tree.union_a, name="张三")

    services.member_update(member=member, by=people.officer_a, data={"name": "曾三"})

    member.refresh_from_db()
    assert (member.name_pinyin, member.name_initials) == ("zengsan", "zs")
    assert (member.name_pinyin_alt, member.name_initials_alt) == ("cengsan", "cs")


def test_the_data_migration_recomputes_the_names_stored_with_the_old_reading(tree):
    # given members stored before the fix: common readings only, no alternative
    ou = make_member(tree.union_a, name="区伟强")
    plain = make_member(tree.union_a, name="陈明")
    Member.objects.filter(pk=ou.pk).update(
        name_pinyin="quweiqiang", name_initials="qwq", name_pinyin_alt="", name_initials_alt=""
    )
    migration = importlib.import_module("members.migrations.0006_member_name_readings")

    # when the migration's data step runs
    migration.recompute_name_keys(django_apps, SimpleNamespace(connection=connection))

    # then the surname reading is stored and the common one kept beside it
    ou.refresh_from_db()
    assert (ou.name_pinyin, ou.name_initials, ou.name_pinyin_alt, ou.name_initials_alt) == (
        "ouweiqiang",
        "owq",
        "quweiqiang",
        "qwq",
    )
    assert Member.objects.get(pk=plain.pk).name_pinyin == "chenming"


# --- two-character fragments ---------------------------------------------------------------------------


def _fragment_names(term: str) -> set[str]:
    return set(selectors.member_search(Member.objects.all(), term).values_list("name", flat=True))


def test_a_two_character_fragment_finds_every_name_that_contains_it(tree):
    for name in ("潘明玉", "明玉", "李明玉华", "明", "王玉明", "欧阳明玉"):
        make_member(tree.union_a, name=name)

    assert _fragment_names("明玉") == {"潘明玉", "明玉", "李明玉华", "欧阳明玉"}
    assert _fragment_names("玉明") == {"王玉明"}
    assert _fragment_names("明华") == set()
    assert _fragment_names("明") == {"潘明玉", "明玉", "李明玉华", "明", "王玉明", "欧阳明玉"}


@pytest.mark.postgres
def test_on_postgresql_a_two_character_fragment_uses_the_bigram_index(tree):
    if connection.vendor != "postgresql":
        pytest.skip("the bigram index is PostgreSQL's")
    make_member(tree.union_a, name="潘明玉")
    queryset = selectors.member_search(Member.objects.all(), "明玉").order_by("-pk")[:50]
    sql, params = queryset.query.sql_with_params()

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned anyway
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "member_name_bigrams" in plan
    assert "members_name_bigrams" in sql


@pytest.mark.postgres
def test_on_postgresql_the_bigrams_of_a_name_are_its_adjacent_pairs(db):
    if connection.vendor != "postgresql":
        pytest.skip("the bigram function is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT members_name_bigrams('陈明玉'), members_name_bigrams('明'), members_name_bigrams('')"
        )
        row = cursor.fetchone()

    assert [sorted(row[0]), row[1], row[2]] == [["明玉", "陈明"], [], []]
