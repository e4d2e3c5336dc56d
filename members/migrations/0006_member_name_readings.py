"""Names read with their surname reading (区 ou, 曾 zeng, 单 shan, 万俟 moqi ...), the common reading
kept beside it for search (issue 9.3): two columns, their partial indexes, and every existing
member's pinyin and initials recomputed (only the rows whose keys change are written)."""

from django.db import migrations, models

BATCH = 2000
KEY_FIELDS = ("name_pinyin", "name_initials", "name_pinyin_alt", "name_initials_alt")


def recompute_name_keys(apps, schema_editor):
    from members.pinyin import name_search_keys  # a pure function of the name

    Member = apps.get_model("members", "Member")
    rows = Member.objects.using(schema_editor.connection.alias).order_by("pk")
    changed = []
    for pk, name, *stored in rows.values_list("pk", "name", *KEY_FIELDS).iterator(chunk_size=BATCH):
        keys = tuple(name_search_keys(name))
        if keys != tuple(stored):
            changed.append(Member(pk=pk, **dict(zip(KEY_FIELDS, keys))))
        if len(changed) >= BATCH:
            Member.objects.using(schema_editor.connection.alias).bulk_update(changed, KEY_FIELDS)
            changed = []
    if changed:
        Member.objects.using(schema_editor.connection.alias).bulk_update(changed, KEY_FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_importjob_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="name_initials_alt",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=20, verbose_name="initials, common reading"
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="name_pinyin_alt",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=200,
                verbose_name="name in pinyin, common reading",
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("name_pinyin_alt", ""), _negated=True),
                fields=["name_pinyin_alt"],
                name="member_pinyin_alt",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("name_initials_alt", ""), _negated=True),
                fields=["name_initials_alt"],
                name="member_initials_alt",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.RunPython(recompute_name_keys, migrations.RunPython.noop, elidable=False),
    ]
