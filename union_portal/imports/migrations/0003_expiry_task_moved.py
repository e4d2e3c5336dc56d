from django.db import migrations

OLD = ("members: expire abandoned import jobs", "members.tasks.import_expire_task")
NEW = ("imports: expire abandoned import jobs", "union_portal.imports.tasks.import_expire_task")


def rename(old: tuple[str, str], new: tuple[str, str]):
    def run(apps, schema_editor):
        """The daily expiry of abandoned imports keeps running, under its new name and task path, and
        keeps any change staff made to its time (a second row is not created next to it)."""
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        rows = PeriodicTask.objects.using(schema_editor.connection.alias)
        rows.filter(task=old[1]).update(task=new[1])
        if not rows.filter(name=new[0]).exists():
            rows.filter(name=old[0]).update(name=new[0])

    return run


class Migration(migrations.Migration):
    """The beat schedule row of the import expiry follows the task to ``union_portal.imports``."""

    dependencies = [
        ("imports", "0002_importjob_preview"),
        ("django_celery_beat", "__first__"),
    ]

    operations = [
        migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD)),
    ]
