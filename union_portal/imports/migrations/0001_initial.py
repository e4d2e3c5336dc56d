import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    """Keep the content type (and so the permission and admin log entries) of the moved model."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="imports", model="importjob").exists():
        ContentType.objects.using(db).filter(app_label="members", model="importjob").update(app_label="imports")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="members", model="importjob").exists():
        ContentType.objects.using(db).filter(app_label="imports", model="importjob").update(app_label="members")


class Migration(migrations.Migration):
    """The import job moves here from ``members``: state only, the table keeps its name."""

    initial = True

    dependencies = [
        ("members", "0004_organisation_tree_moved"),
        ("organisations", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ImportJob",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(default="members", max_length=20, verbose_name="what")),
                        ("original_name", models.CharField(max_length=200, verbose_name="file name")),
                        ("stored_path", models.CharField(blank=True, editable=False, max_length=300)),
                        ("status", models.CharField(choices=[("checking", "Checking"), ("invalid", "Has errors"), ("valid", "Valid, awaiting confirmation"), ("importing", "Importing"), ("done", "Imported"), ("failed", "Failed"), ("cancelled", "Cancelled")], default="checking", max_length=10, verbose_name="status")),
                        ("total_rows", models.PositiveIntegerField(default=0, verbose_name="rows")),
                        ("processed_rows", models.PositiveIntegerField(default=0, verbose_name="rows done")),
                        ("error_count", models.PositiveIntegerField(default=0, verbose_name="errors")),
                        ("errors", models.JSONField(blank=True, default=list, verbose_name="errors")),
                        ("message", models.CharField(blank=True, max_length=300, verbose_name="message")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded at")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                        ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="uploaded by")),
                        ("organisation", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="organisations.organisation", verbose_name="scope")),
                    ],
                    options={
                        "verbose_name": "import job",
                        "verbose_name_plural": "import jobs",
                        "db_table": "members_importjob",
                        "ordering": ["-created_at", "-pk"],
                        "default_permissions": ("view",),
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
